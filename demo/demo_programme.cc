#include "demo/demo_programme.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ledger/uuid.h"
#include "demo/demo_builder.h"

namespace demo {

using namespace engagement::v1;  // NOLINT: the vocabulary's enums, used throughout

std::string UuidFromBits(uint64_t high, uint64_t low) { return ledger::FormatUuidV4(high, low); }

size_t DemoProgramme::event_count() const {
  size_t n = 0;
  for (const DemoAppend& append : appends) n += append.events.size();
  return n;
}

std::map<std::string, int> DemoProgramme::CountByType() const {
  std::map<std::string, int> counts;
  const auto* oneof = Event::descriptor()->FindOneofByName("payload");
  for (const DemoAppend& append : appends) {
    for (const Event& event : append.events) {
      const auto* field = event.GetReflection()->GetOneofFieldDescriptor(event, oneof);
      ++counts[field == nullptr ? "" : field->name()];
    }
  }
  return counts;
}

namespace internal {

absl::Time Day(int year, int month, int day, int hour, int minute) {
  return absl::FromCivil(absl::CivilMinute(year, month, day, hour, minute), absl::UTCTimeZone());
}

std::string Builder::Uuid() {
  uint64_t high = Next();
  return UuidFromBits(high, Next());
}

Event& Builder::Add(absl::Time when, const std::string& stream, absl::string_view actor,
                    const std::string& correlation) {
  Pending& p = pending_.emplace_back();
  p.when = when;
  p.stream = stream;
  p.event.set_event_id(Uuid());
  p.event.mutable_occurred_at()->set_seconds(absl::ToUnixSeconds(when));
  p.event.set_organisation(kOrganisation);
  p.event.set_actor(std::string(actor));
  if (!correlation.empty()) p.event.set_correlation_id(correlation);
  return p.event;
}

DemoProgramme Builder::Finish() {
  std::vector<Pending*> order;
  for (Pending& p : pending_) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(),
                   [](const Pending* a, const Pending* b) { return a->when < b->when; });
  DemoProgramme programme;
  for (Pending* p : order) {
    if (programme.appends.empty() || programme.appends.back().stream != p->stream ||
        programme.appends.back().events.size() >= 500) {
      programme.appends.push_back({p->stream, {}});
    }
    programme.appends.back().events.push_back(std::move(p->event));
  }
  pending_.clear();
  return programme;
}

std::string Builder::Invite(const std::string& engagement, absl::Time when, const Person& person,
                            ContactMethod method, const std::string& criteria) {
  std::string id = Uuid();
  auto* invitation = Add(when, EngagementStream(engagement), kTeam, engagement)
                         .mutable_invitation_sent();
  invitation->set_engagement_id(engagement);
  invitation->set_invitation_id(id);
  invitation->set_participant_id(person.id);
  invitation->set_method(person.has_email ? method : CONTACT_METHOD_LETTER);
  invitation->set_selection_criteria(criteria);
  return id;
}

void Builder::Respond(const std::string& engagement, absl::Time when,
                      const std::string& invitation, InvitationResponse response) {
  // The invitation's event is the cause; find it (a few hundred events: a scan is fine).
  std::string cause;
  for (const Pending& p : pending_) {
    if (p.event.has_invitation_sent() && p.event.invitation_sent().invitation_id() == invitation) {
      cause = p.event.event_id();
    }
  }
  Event& event = Add(when, EngagementStream(engagement), kTeam, engagement);
  event.set_causation_id(cause);
  auto* answer = event.mutable_invitation_responded();
  answer->set_engagement_id(engagement);
  answer->set_invitation_id(invitation);
  answer->set_response(response);
}

void Builder::InviteChannel(const std::string& engagement, absl::Time when,
                            InvitationChannel channel, const std::string& name,
                            ContactMethod method, const std::string& criteria) {
  auto* invitation = Add(when, EngagementStream(engagement), kTeam, engagement)
                         .mutable_invitation_sent();
  invitation->set_engagement_id(engagement);
  invitation->set_invitation_id(Uuid());
  invitation->set_channel(channel);
  invitation->set_channel_name(name);
  invitation->set_method(method);
  invitation->set_selection_criteria(criteria);
}

std::string Builder::Session(const std::string& engagement, absl::Time when,
                             const SessionSpec& spec) {
  std::string id = Uuid();
  auto* session = Add(when, EngagementStream(engagement), kTeam, engagement).mutable_session_held();
  session->set_engagement_id(engagement);
  session->set_session_id(id);
  session->set_title(spec.title);
  session->set_method(spec.method);
  session->set_duration_minutes(spec.minutes);
  session->set_venue(spec.venue);
  for (AccessibilityProvision a : spec.access) session->add_accessibility(a);
  session->set_independent_facilitator(spec.independent);
  for (const Person& person : spec.attendees) session->add_attendee_participant_ids(person.id);
  session->set_unregistered_attendee_count(spec.unregistered);
  session->set_cost_pence(spec.cost_pence);
  spent[engagement] += spec.cost_pence;
  held_.push_back({id, engagement, spec.title, when, spec.attendees.size(), spec.unregistered});
  return id;
}

std::string Builder::Insight(const std::string& engagement, absl::Time when,
                             const std::string& theme, const std::string& summary,
                             const std::vector<std::string>& sessions, uint32_t raising,
                             const std::vector<std::string>& tags) {
  std::string id = Uuid();
  auto* insight =
      Add(when, EngagementStream(engagement), kTeam, engagement).mutable_insight_recorded();
  insight->set_engagement_id(engagement);
  insight->set_insight_id(id);
  insight->set_theme(theme);
  insight->set_summary(summary);
  for (const std::string& s : sessions) insight->add_session_ids(s);
  insight->set_participants_raising(raising);
  for (const std::string& t : tags) insight->add_tags(t);
  return id;
}

void Builder::Validate(const std::string& engagement, absl::Time when, const std::string& insight,
                       ValidationMethod method, const std::string& session) {
  auto* validated =
      Add(when, EngagementStream(engagement), kTeam, engagement).mutable_insight_validated();
  validated->set_engagement_id(engagement);
  validated->set_insight_id(insight);
  validated->set_method(method);
  validated->set_session_id(session);
}

void Builder::Consider(const std::string& engagement, absl::Time when, const std::string& insight,
                       DecidingBody body, const std::string& name, const std::string& reference) {
  auto* considered = Add(when, EngagementStream(engagement), kGovernance, engagement)
                         .mutable_insight_considered();
  considered->set_engagement_id(engagement);
  considered->set_insight_id(insight);
  considered->set_body(body);
  considered->set_body_name(name);
  considered->set_reference(reference);
}

void Builder::Feedback(const std::string& engagement, absl::Time when, FeedbackAudience audience,
                       ContactMethod channel, const std::vector<std::string>& insights,
                       const std::vector<std::string>& decisions, const std::string& summary,
                       const std::string& session, const std::vector<Person>& to) {
  auto* feedback = Add(when, EngagementStream(engagement), kTeam, engagement)
                       .mutable_feedback_given();
  feedback->set_feedback_id(Uuid());
  feedback->set_engagement_id(engagement);
  feedback->set_audience(audience);
  feedback->set_session_id(session);
  for (const Person& person : to) feedback->add_participant_ids(person.id);
  feedback->set_channel(channel);
  for (const std::string& i : insights) feedback->add_insight_ids(i);
  for (const std::string& d : decisions) feedback->add_decision_ids(d);
  feedback->set_summary(summary);
}

std::string Builder::Reimburse(const std::string& engagement, const std::string& session,
                               const Person& person, ReimbursementCategory category,
                               int64_t pence, absl::Time claimed, ReimbursementStatus final_status,
                               absl::Time until, const std::string& note) {
  const std::string id = Uuid();
  std::string claim_event, previous;
  absl::Time when = claimed;
  for (ReimbursementStatus status : {REIMBURSEMENT_STATUS_CLAIMED, REIMBURSEMENT_STATUS_APPROVED,
                                     REIMBURSEMENT_STATUS_PAID, REIMBURSEMENT_STATUS_REFUSED}) {
    bool refused = final_status == REIMBURSEMENT_STATUS_REFUSED;
    if (status == REIMBURSEMENT_STATUS_REFUSED && !refused) break;
    if (refused && (status == REIMBURSEMENT_STATUS_APPROVED || status == REIMBURSEMENT_STATUS_PAID)) {
      continue;
    }
    if (when >= until) break;
    Event& event = Add(when, EngagementStream(engagement),
                       status == REIMBURSEMENT_STATUS_CLAIMED ? kTeam : kFinance, engagement);
    event.set_causation_id(previous);
    auto* payment = event.mutable_reimbursement_recorded();
    payment->set_reimbursement_id(id);
    payment->set_engagement_id(engagement);
    payment->set_participant_id(person.id);
    payment->set_session_id(session);
    payment->set_category(category);
    payment->set_amount_pence(pence);
    payment->set_status(status);
    if (status == REIMBURSEMENT_STATUS_REFUSED) payment->set_note(note);
    previous = event.event_id();
    if (claim_event.empty()) claim_event = previous;
    if (status == REIMBURSEMENT_STATUS_PAID) spent[engagement] += pence;
    if (status == final_status) break;
    when += absl::Hours(24 * Between(6, 16));
  }
  return claim_event;
}

void Builder::Decision(const std::string& decision, absl::Time when, DecidingBody body,
                       const std::string& body_name, const std::string& summary,
                       const std::string& paper, const std::vector<std::string>& engagements,
                       const std::vector<Influence>& influences) {
  auto* recorded = Add(when, "decision-" + decision, kGovernance,
                       engagements.empty() ? "" : engagements[0])
                       .mutable_decision_recorded();
  recorded->set_decision_id(decision);
  for (const std::string& e : engagements) recorded->add_engagement_ids(e);
  recorded->set_deciding_body(body);
  recorded->set_deciding_body_name(body_name);
  recorded->set_summary(summary);
  recorded->set_paper_reference(paper);
  for (const Influence& i : influences) {
    auto* influence = recorded->add_influences();
    influence->set_insight_id(i.insight_id);
    influence->set_influence(i.influence);
    influence->set_reason(i.reason);
  }
}

void Builder::AssessDecision(const std::string& decision, const std::string& engagement,
                             absl::Time when, DutyLimb limb, DutyApplies applies,
                             const std::string& reason, const std::string& proportionality,
                             SpectrumLevel level, const std::string& impact_reference,
                             const std::string& assessor) {
  auto* duty = Add(when, "decision-" + decision, kGovernance, engagement)
                   .mutable_duty_to_involve_assessed();
  duty->set_assessment_id(Uuid());
  duty->set_engagement_id(engagement);
  duty->set_decision_id(decision);
  duty->set_limb(limb);
  duty->set_applies(applies);
  duty->set_reason(reason);
  duty->set_proportionality(proportionality);
  duty->set_planned_spectrum_level(level);
  duty->set_impact_assessment_reference(impact_reference);
  duty->set_assessor_role(assessor);
}

namespace {

// Who a cohort is: where its people come from and the mix of their equality-monitoring answers.
struct Cohort {
  int size;
  absl::Time from;
  int spread_days;
  std::vector<InvitationChannel> channels;
  std::vector<AgeBand> ages;
  std::vector<EthnicCategory> ethnicities;
  std::vector<PpvRoleType> roles;
  int carer_percent;
  int disabled_percent;
  std::vector<int> imd_deciles;
};

// Registers one participant (stream "participant-<id>"). `extra` adds priority groups that
// cannot be derived from the other answers (homelessness, Traveller, refugee, learning
// disability); the others follow from age, ethnicity, deprivation, carer and disability.
Person Register(Builder& b, absl::Time when, const std::string& engagement, const Cohort& c,
                PriorityGroup extra = PRIORITY_GROUP_UNSPECIFIED) {
  Person person{b.Uuid(), b.Pick(c.roles), b.Chance(c.carer_percent), !b.Chance(12)};
  int n = ++b.registered;
  Event& event = b.Add(when, "participant-" + person.id, kTeam, engagement);
  auto* r = event.mutable_participant_registered();
  r->set_participant_id(person.id);
  r->set_role_type(person.role);
  r->set_recruited_through(b.Pick(c.channels));
  auto* contact = r->mutable_personal_data()->mutable_contact();
  contact->set_name(absl::StrFormat("Demo Participant %02d (fictional)", n));
  if (person.has_email) contact->set_email(absl::StrFormat("demo.participant%02d@example.invalid", n));
  contact->set_telephone(absl::StrFormat("01632 960%03d", n));  // Ofcom's range for drama
  auto* eq = r->mutable_personal_data()->mutable_equality();
  bool homeless = extra == PRIORITY_GROUP_HOMELESSNESS;
  bool declined = extra == PRIORITY_GROUP_UNSPECIFIED && b.Chance(5);  // declined to answer
  int imd = homeless ? 0 : b.Pick(c.imd_deciles);
  if (!homeless) {
    std::string district = absl::StrCat("QW", 11 - std::max(imd, 1));  // invented districts
    contact->set_postcode(absl::StrCat(district, " ", b.Between(1, 9), "X", "Y"));
    if (!declined) eq->set_postcode_district(district);
  }
  if (declined) {
    eq->set_age_band(AGE_BAND_NOT_STATED);
    eq->set_sex(SEX_NOT_STATED);
    eq->set_ethnic_category(ETHNIC_CATEGORY_Z_NOT_STATED);
    eq->set_disability(MONITORING_ANSWER_NOT_STATED);
    eq->set_carer(person.carer ? MONITORING_ANSWER_YES : MONITORING_ANSWER_NOT_STATED);
    if (person.carer) eq->add_priority_groups(PRIORITY_GROUP_CARERS);
    return person;
  }
  const int sex = b.Below(100);
  eq->set_age_band(b.Pick(c.ages));
  eq->set_sex(sex < 52 ? SEX_FEMALE : sex < 97 ? SEX_MALE : sex < 99 ? SEX_OTHER : SEX_NOT_STATED);
  eq->set_ethnic_category(b.Pick(c.ethnicities));
  bool disabled = b.Chance(c.disabled_percent) || extra == PRIORITY_GROUP_LEARNING_DISABILITY;
  eq->set_disability(disabled ? MONITORING_ANSWER_YES : MONITORING_ANSWER_NO);
  eq->set_carer(person.carer ? MONITORING_ANSWER_YES : MONITORING_ANSWER_NO);
  eq->set_imd_decile(static_cast<uint32_t>(imd));
  AgeBand age = eq->age_band();
  EthnicCategory ethnicity = eq->ethnic_category();
  if (age == AGE_BAND_16_24) eq->add_priority_groups(PRIORITY_GROUP_YOUNG_PEOPLE);
  if (age == AGE_BAND_75_PLUS || age == AGE_BAND_65_74) {
    eq->add_priority_groups(PRIORITY_GROUP_OLDER_PEOPLE);
  }
  if (ethnicity >= ETHNIC_CATEGORY_D_WHITE_BLACK_CARIBBEAN && ethnicity <= ETHNIC_CATEGORY_S_OTHER) {
    eq->add_priority_groups(PRIORITY_GROUP_ETHNIC_MINORITIES);
  }
  if (imd >= 1 && imd <= 2) eq->add_priority_groups(PRIORITY_GROUP_CORE20);
  if (person.carer) eq->add_priority_groups(PRIORITY_GROUP_CARERS);
  if (disabled) eq->add_priority_groups(PRIORITY_GROUP_DISABLED_PEOPLE);
  if (extra != PRIORITY_GROUP_UNSPECIFIED) eq->add_priority_groups(extra);
  if (homeless) eq->add_inclusion_health_groups(INCLUSION_HEALTH_GROUP_HOMELESSNESS);
  if (homeless && b.Chance(50)) {
    eq->add_inclusion_health_groups(INCLUSION_HEALTH_GROUP_DRUG_ALCOHOL_DEPENDENCE);
  }
  if (extra == PRIORITY_GROUP_GYPSY_ROMA_TRAVELLER) {
    eq->add_inclusion_health_groups(INCLUSION_HEALTH_GROUP_GYPSY_ROMA_TRAVELLER);
  }
  if (extra == PRIORITY_GROUP_REFUGEES) {
    eq->add_inclusion_health_groups(INCLUSION_HEALTH_GROUP_VULNERABLE_MIGRANTS);
  }
  return person;
}

std::vector<Person> RegisterCohort(Builder& b, const std::string& engagement, const Cohort& c,
                                   const std::vector<PriorityGroup>& extras = {}) {
  std::vector<Person> people;
  for (int i = 0; i < c.size; ++i) {
    absl::Time when = c.from + absl::Hours(24 * (i * c.spread_days / c.size)) +
                      absl::Minutes(b.Between(0, 7 * 60));
    PriorityGroup extra = i < static_cast<int>(extras.size()) ? extras[i] : PRIORITY_GROUP_UNSPECIFIED;
    people.push_back(Register(b, when, engagement, c, extra));
  }
  return people;
}

}  // namespace
}  // namespace internal

DemoProgramme BuildDemoProgramme(uint64_t seed) {
  using namespace internal;  // NOLINT
  Builder b(seed);
  const std::string diabetes = b.Uuid(), young = b.Uuid(), urgent = b.Uuid();
  const std::vector<EthnicCategory> mixed = {
      ETHNIC_CATEGORY_A_WHITE_BRITISH, ETHNIC_CATEGORY_A_WHITE_BRITISH,
      ETHNIC_CATEGORY_A_WHITE_BRITISH, ETHNIC_CATEGORY_B_WHITE_IRISH, ETHNIC_CATEGORY_C_OTHER_WHITE,
      ETHNIC_CATEGORY_H_INDIAN, ETHNIC_CATEGORY_J_PAKISTANI, ETHNIC_CATEGORY_K_BANGLADESHI,
      ETHNIC_CATEGORY_M_CARIBBEAN, ETHNIC_CATEGORY_N_AFRICAN, ETHNIC_CATEGORY_D_WHITE_BLACK_CARIBBEAN,
      ETHNIC_CATEGORY_R_CHINESE, ETHNIC_CATEGORY_S_OTHER, ETHNIC_CATEGORY_99_NOT_KNOWN};

  People people;
  people.strategic = RegisterCohort(
      b, "", {2, Day(2025, 4, 2), 1, {INVITATION_CHANNEL_PATIENT_PANEL},
              {AGE_BAND_45_64, AGE_BAND_65_74}, mixed, {PPV_ROLE_TYPE_4}, 0, 30, {4, 6, 8}});
  people.diabetes = RegisterCohort(
      b, diabetes,
      {24, Day(2025, 4, 22), 17,
       {INVITATION_CHANNEL_GP_PRACTICE, INVITATION_CHANNEL_GP_PRACTICE,
        INVITATION_CHANNEL_GP_PRACTICE, INVITATION_CHANNEL_VOLUNTARY_ORGANISATION,
        INVITATION_CHANNEL_VOLUNTARY_ORGANISATION, INVITATION_CHANNEL_PATIENT_PARTICIPATION_GROUP},
       {AGE_BAND_25_44, AGE_BAND_45_64, AGE_BAND_45_64, AGE_BAND_45_64, AGE_BAND_65_74,
        AGE_BAND_65_74, AGE_BAND_75_PLUS},
       {ETHNIC_CATEGORY_A_WHITE_BRITISH, ETHNIC_CATEGORY_A_WHITE_BRITISH, ETHNIC_CATEGORY_H_INDIAN,
        ETHNIC_CATEGORY_J_PAKISTANI, ETHNIC_CATEGORY_J_PAKISTANI, ETHNIC_CATEGORY_K_BANGLADESHI,
        ETHNIC_CATEGORY_M_CARIBBEAN, ETHNIC_CATEGORY_N_AFRICAN, ETHNIC_CATEGORY_C_OTHER_WHITE,
        ETHNIC_CATEGORY_F_WHITE_ASIAN},
       {PPV_ROLE_TYPE_2, PPV_ROLE_TYPE_2, PPV_ROLE_TYPE_2, PPV_ROLE_TYPE_2, PPV_ROLE_TYPE_3},
       25, 20, {1, 2, 2, 3, 4, 5, 6, 7, 8, 9}});
  people.young = RegisterCohort(
      b, young,
      {14, Day(2025, 6, 16), 18,
       {INVITATION_CHANNEL_SOCIAL_MEDIA, INVITATION_CHANNEL_SOCIAL_MEDIA,
        INVITATION_CHANNEL_VOLUNTARY_ORGANISATION, INVITATION_CHANNEL_PROVIDER_SERVICE},
       {AGE_BAND_16_24}, mixed, {PPV_ROLE_TYPE_1}, 15, 15, {1, 1, 2, 3, 5, 7, 9}},
      {PRIORITY_GROUP_REFUGEES, PRIORITY_GROUP_LEARNING_DISABILITY});
  people.urgent = RegisterCohort(
      b, urgent,
      {20, Day(2025, 9, 15), 35,
       {INVITATION_CHANNEL_HEALTHWATCH, INVITATION_CHANNEL_NEWSLETTER,
        INVITATION_CHANNEL_VOLUNTARY_ORGANISATION, INVITATION_CHANNEL_PATIENT_PANEL,
        INVITATION_CHANNEL_PATIENT_PARTICIPATION_GROUP},
       {AGE_BAND_25_44, AGE_BAND_45_64, AGE_BAND_65_74, AGE_BAND_65_74, AGE_BAND_75_PLUS,
        AGE_BAND_75_PLUS},
       mixed, {PPV_ROLE_TYPE_1, PPV_ROLE_TYPE_1, PPV_ROLE_TYPE_2}, 30, 30, {1, 1, 2, 3, 4, 6, 8, 10}},
      {PRIORITY_GROUP_HOMELESSNESS, PRIORITY_GROUP_HOMELESSNESS, PRIORITY_GROUP_HOMELESSNESS,
       PRIORITY_GROUP_GYPSY_ROMA_TRAVELLER, PRIORITY_GROUP_REFUGEES,
       PRIORITY_GROUP_LEARNING_DISABILITY});

  DiabetesCoDesign(b, diabetes, people);
  YoungPeoplesMentalHealth(b, young, people);
  UrgentCareConsultation(b, urgent, people);
  ClinicMoveDecision(b);

  // Outcomes: every session's return but one (the PPG sense-check's is missing, for the report to
  // notice), the forms, the consultation's publicity, and the diabetes work's case study.
  b.ReturnsAndForms({"Sense-check with the Northgate and Riverside PPGs"});
  b.ShareInformation(urgent, Day(2025, 10, 6, 9), engagement::v1::INFORMATION_CHANNEL_LEAFLET, 2400,
                     "Consultation leaflet at GP practices, pharmacies and libraries in the east");
  b.ShareInformation(urgent, Day(2025, 10, 6, 10), engagement::v1::INFORMATION_CHANNEL_SOCIAL_MEDIA,
                     5200, "Posts on the proposals, with a link to the survey");
  b.ShareInformation(urgent, Day(2025, 10, 13, 9), engagement::v1::INFORMATION_CHANNEL_NEWSLETTER,
                     1800, "The locality newsletter's consultation issue");
  b.ShareInformation(urgent, Day(2025, 10, 20, 12), engagement::v1::INFORMATION_CHANNEL_EVENT, 350,
                     "Stands at Eastfield market and the leisure centre");
  b.ShareInformation(urgent, Day(2025, 10, 20, 13),
                     engagement::v1::INFORMATION_CHANNEL_ACCESSIBLE_FORMAT, 6,
                     "Easy-read and translated summaries posted on request");
  b.ShareInformation(young, Day(2025, 7, 1, 16), engagement::v1::INFORMATION_CHANNEL_SOCIAL_MEDIA,
                     900, "Short videos inviting young people to take part");
  b.CaseStudy(diabetes, Day(2025, 12, 12, 10), "Diabetes education people can get to",
              "People with type 2 diabetes told us courses ran only in working hours, in English, "
              "in one town.",
              "Three co-design workshops and a sense-check with two patient participation groups "
              "shaped the options, with an interpreter and evening times.",
              "The governing body adopted evening and community courses and peer support.",
              "Courses now run in two languages and two evenings a month; the first cohort "
              "finished in January.");

  // A young person withdraws consent after their engagement closed (their data is kept).
  const Person& leaving = people.young[b.Below(static_cast<int>(people.young.size()))];
  b.Add(Day(2025, 12, 15, 14), "participant-" + leaving.id, kTeam, young)
      .mutable_consent_withdrawn()
      ->set_participant_id(leaving.id);

  DemoProgramme programme = b.Finish();
  programme.engagements = 3;
  programme.participants = static_cast<int>(people.strategic.size() + people.diabetes.size() +
                                            people.young.size() + people.urgent.size());
  programme.decisions = programme.CountByType()["decision_recorded"];
  return programme;
}

}  // namespace demo
