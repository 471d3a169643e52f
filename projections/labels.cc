#include "projections/labels.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "engagement/v1/equality.pb.h"
#include "engagement/v1/outcomes.pb.h"
#include "engagement/v1/vocabulary.pb.h"

namespace projections {
namespace {

// code -> label. Ethnic categories: NHS Data Dictionary, "Ethnic Category" (2001 census
// categories), with the national code.
const absl::flat_hash_map<std::string, std::string>& Table() {
  static const auto* table = new absl::flat_hash_map<std::string, std::string>{
      {kErasedCode, "Erased at the person's request"},
      // Ethnic category.
      {"ETHNIC_CATEGORY_A_WHITE_BRITISH", "White: British"},
      {"ETHNIC_CATEGORY_B_WHITE_IRISH", "White: Irish"},
      {"ETHNIC_CATEGORY_C_OTHER_WHITE", "White: Any other White background"},
      {"ETHNIC_CATEGORY_D_WHITE_BLACK_CARIBBEAN", "Mixed: White and Black Caribbean"},
      {"ETHNIC_CATEGORY_E_WHITE_BLACK_AFRICAN", "Mixed: White and Black African"},
      {"ETHNIC_CATEGORY_F_WHITE_ASIAN", "Mixed: White and Asian"},
      {"ETHNIC_CATEGORY_G_OTHER_MIXED", "Mixed: Any other mixed background"},
      {"ETHNIC_CATEGORY_H_INDIAN", "Asian or Asian British: Indian"},
      {"ETHNIC_CATEGORY_J_PAKISTANI", "Asian or Asian British: Pakistani"},
      {"ETHNIC_CATEGORY_K_BANGLADESHI", "Asian or Asian British: Bangladeshi"},
      {"ETHNIC_CATEGORY_L_OTHER_ASIAN", "Asian or Asian British: Any other Asian background"},
      {"ETHNIC_CATEGORY_M_CARIBBEAN", "Black or Black British: Caribbean"},
      {"ETHNIC_CATEGORY_N_AFRICAN", "Black or Black British: African"},
      {"ETHNIC_CATEGORY_P_OTHER_BLACK", "Black or Black British: Any other Black background"},
      {"ETHNIC_CATEGORY_R_CHINESE", "Other ethnic groups: Chinese"},
      {"ETHNIC_CATEGORY_S_OTHER", "Other ethnic groups: Any other ethnic group"},
      {"ETHNIC_CATEGORY_Z_NOT_STATED", "Not stated"},
      {"ETHNIC_CATEGORY_99_NOT_KNOWN", "Not known"},
      // Age band.
      {"AGE_BAND_UNDER_16", "Under 16"},
      {"AGE_BAND_16_24", "16 to 24"},
      {"AGE_BAND_25_44", "25 to 44"},
      {"AGE_BAND_45_64", "45 to 64"},
      {"AGE_BAND_65_74", "65 to 74"},
      {"AGE_BAND_75_PLUS", "75 and over"},
      {"AGE_BAND_NOT_STATED", "Not stated"},
      // Priority groups.
      {"PRIORITY_GROUP_YOUNG_PEOPLE", "Young people"},
      {"PRIORITY_GROUP_ETHNIC_MINORITIES", "People from ethnic minority communities"},
      {"PRIORITY_GROUP_HOMELESSNESS", "People experiencing homelessness"},
      {"PRIORITY_GROUP_GYPSY_ROMA_TRAVELLER", "Gypsy, Roma and Traveller communities"},
      {"PRIORITY_GROUP_REFUGEES", "Refugees and asylum seekers"},
      {"PRIORITY_GROUP_LEARNING_DISABILITY", "People with a learning disability"},
      {"PRIORITY_GROUP_CARERS", "Carers"},
      {"PRIORITY_GROUP_OLDER_PEOPLE", "Older people"},
      {"PRIORITY_GROUP_DISABLED_PEOPLE", "Disabled people"},
      {"PRIORITY_GROUP_CORE20", "People in the most deprived 20% of areas (Core20)"},
      // Inclusion-health groups.
      {"INCLUSION_HEALTH_GROUP_HOMELESSNESS", "People experiencing homelessness"},
      {"INCLUSION_HEALTH_GROUP_DRUG_ALCOHOL_DEPENDENCE", "People with drug or alcohol dependence"},
      {"INCLUSION_HEALTH_GROUP_VULNERABLE_MIGRANTS", "Vulnerable migrants"},
      {"INCLUSION_HEALTH_GROUP_GYPSY_ROMA_TRAVELLER", "Gypsy, Roma and Traveller communities"},
      {"INCLUSION_HEALTH_GROUP_SEX_WORKERS", "Sex workers"},
      {"INCLUSION_HEALTH_GROUP_JUSTICE_SYSTEM", "People in contact with the justice system"},
      {"INCLUSION_HEALTH_GROUP_MODERN_SLAVERY", "Victims of modern slavery"},
      // Methods.
      {"ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP", "Co-design workshop"},
      {"ENGAGEMENT_METHOD_FOCUS_GROUP", "Focus group"},
      {"ENGAGEMENT_METHOD_CITIZENS_JURY", "Citizens' jury"},
      {"ENGAGEMENT_METHOD_PUBLIC_MEETING", "Public meeting"},
      {"ENGAGEMENT_METHOD_SURVEY", "Survey"},
      {"ENGAGEMENT_METHOD_INTERVIEW", "Interview"},
      {"ENGAGEMENT_METHOD_PPG_MEETING", "Patient participation group meeting"},
      {"ENGAGEMENT_METHOD_ONLINE_PANEL", "Online panel"},
      {"ENGAGEMENT_METHOD_COMMUNITY_OUTREACH", "Community outreach"},
      {"ENGAGEMENT_METHOD_CONSULTATION_RESPONSE", "Consultation response"},
      // Whether the duty to involve applies; feedback's audience and channel (the console's forms).
      {"DUTY_APPLIES_YES", "Yes"},
      {"DUTY_APPLIES_NO", "No"},
      {"FEEDBACK_AUDIENCE_ENGAGEMENT", "Everyone in the engagement"},
      {"FEEDBACK_AUDIENCE_SESSION", "The people at one session"},
      {"FEEDBACK_AUDIENCE_PARTICIPANTS", "Named participants"},
      {"FEEDBACK_AUDIENCE_PUBLIC", "The public"},
      {"CONTACT_METHOD_EMAIL", "Email"},
      {"CONTACT_METHOD_LETTER", "Letter"},
      {"CONTACT_METHOD_TELEPHONE", "Telephone"},
      {"CONTACT_METHOD_IN_PERSON", "In person"},
      {"CONTACT_METHOD_TEXT_MESSAGE", "Text message"},
      {"CONTACT_METHOD_PUBLICATION", "Publication"},
      {"CONTACT_METHOD_SOCIAL_MEDIA", "Social media"},
      // A reimbursement's state; equality monitoring's own answers (the console's forms).
      {"REIMBURSEMENT_STATUS_CLAIMED", "Claimed"},
      {"REIMBURSEMENT_STATUS_APPROVED", "Approved"},
      {"REIMBURSEMENT_STATUS_PAID", "Paid"},
      {"REIMBURSEMENT_STATUS_REFUSED", "Refused"},
      {"SEX_FEMALE", "Female"},
      {"SEX_MALE", "Male"},
      {"SEX_OTHER", "Other"},
      {"SEX_NOT_STATED", "Prefer not to say"},
      {"MONITORING_ANSWER_YES", "Yes"},
      {"MONITORING_ANSWER_NO", "No"},
      {"MONITORING_ANSWER_NOT_STATED", "Prefer not to say"},
      // The spectrum of engagement.
      {"SPECTRUM_LEVEL_INFORM", "Inform"},
      {"SPECTRUM_LEVEL_ENGAGE", "Engage"},
      {"SPECTRUM_LEVEL_INVOLVE", "Involve"},
      {"SPECTRUM_LEVEL_CO_PRODUCE", "Co-produce"},
      // The commissioning cycle.
      {"COMMISSIONING_STAGE_NEEDS_ASSESSMENT", "Needs assessment"},
      {"COMMISSIONING_STAGE_PLANNING", "Planning and priorities"},
      {"COMMISSIONING_STAGE_SERVICE_DESIGN", "Service design and procurement"},
      {"COMMISSIONING_STAGE_MONITORING", "Monitoring and evaluation"},
      // Patient and Public Voice partners.
      {"PPV_ROLE_TYPE_1", "Role type 1: open access (surveys, public meetings)"},
      {"PPV_ROLE_TYPE_2", "Role type 2: ad hoc involvement (workshops, focus groups)"},
      {"PPV_ROLE_TYPE_3", "Role type 3: regular involvement (groups, panels)"},
      {"PPV_ROLE_TYPE_4", "Role type 4: senior strategic role (paid involvement)"},
      {"PPV_ROLE_TYPE_UNSPECIFIED", "Role type not recorded"},
      // Reimbursements.
      {"REIMBURSEMENT_CATEGORY_TRAVEL", "Travel"},
      {"REIMBURSEMENT_CATEGORY_CARE_COVER", "Carer or childcare cover"},
      {"REIMBURSEMENT_CATEGORY_SUBSISTENCE", "Subsistence"},
      {"REIMBURSEMENT_CATEGORY_INVOLVEMENT_PAYMENT", "Involvement payment"},
      {"REIMBURSEMENT_CATEGORY_VOUCHER", "Voucher"},
      // Influence of what people said.
      {"INFLUENCE_ADOPTED", "Adopted"},
      {"INFLUENCE_PARTLY_ADOPTED", "Partly adopted"},
      {"INFLUENCE_NOT_ADOPTED", "Not adopted"},
      // Deciding bodies.
      {"DECIDING_BODY_GOVERNING_BODY", "Governing body"},
      {"DECIDING_BODY_COMMITTEE", "Committee"},
      {"DECIDING_BODY_EXECUTIVE", "Executive"},
      {"DECIDING_BODY_JOINT_COMMITTEE", "Joint committee"},
      // Channels.
      {"INVITATION_CHANNEL_GP_PRACTICE", "GP practice"},
      {"INVITATION_CHANNEL_PATIENT_PARTICIPATION_GROUP", "Patient participation group"},
      {"INVITATION_CHANNEL_VOLUNTARY_ORGANISATION", "Voluntary or community organisation"},
      {"INVITATION_CHANNEL_HEALTHWATCH", "Healthwatch"},
      {"INVITATION_CHANNEL_NEWSLETTER", "Newsletter"},
      {"INVITATION_CHANNEL_SOCIAL_MEDIA", "Social media"},
      {"INVITATION_CHANNEL_PATIENT_PANEL", "Patient panel"},
      {"INVITATION_CHANNEL_PROVIDER_SERVICE", "Provider service"},
      // Information channels.
      {"INFORMATION_CHANNEL_LEAFLET", "Leaflets and posters"},
      {"INFORMATION_CHANNEL_SOCIAL_MEDIA", "Social media"},
      {"INFORMATION_CHANNEL_NEWSLETTER", "Newsletters"},
      {"INFORMATION_CHANNEL_EVENT", "Events and stands"},
      {"INFORMATION_CHANNEL_WEBSITE", "Website"},
      {"INFORMATION_CHANNEL_PRESS", "Press, radio and television"},
      {"INFORMATION_CHANNEL_ACCESSIBLE_FORMAT", "Easy-read and translated material"},
      // Evaluation of an engagement.
      {"AIMS_MET_MET", "Aims met"},
      {"AIMS_MET_PARTLY", "Aims partly met"},
      {"AIMS_MET_NOT_MET", "Aims not met"},
  };
  return *table;
}

}  // namespace

std::string LabelOf(absl::string_view code) {
  auto it = Table().find(code);
  return it == Table().end() ? std::string(code) : it->second;
}

std::string CodeOf(const google::protobuf::EnumDescriptor* type, int value) {
  const auto* v = type->FindValueByNumber(value);
  return v == nullptr ? absl::StrCat(value) : v->name();
}

std::vector<const google::protobuf::EnumDescriptor*> ReportedEnums() {
  using namespace engagement::v1;  // NOLINT
  return {EthnicCategory_descriptor(),     AgeBand_descriptor(),
          PriorityGroup_descriptor(),      InclusionHealthGroup_descriptor(),
          EngagementMethod_descriptor(),   SpectrumLevel_descriptor(),
          CommissioningStage_descriptor(), PpvRoleType_descriptor(),
          ReimbursementCategory_descriptor(), Influence_descriptor(),
          DecidingBody_descriptor(),       InvitationChannel_descriptor(),
          AimsMet_descriptor(),            InformationChannel_descriptor(),
          DutyApplies_descriptor(),        FeedbackAudience_descriptor(),
          ContactMethod_descriptor(),      ReimbursementStatus_descriptor(),
          Sex_descriptor(),                MonitoringAnswer_descriptor()};
}

}  // namespace projections
