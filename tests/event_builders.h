// Valid engagement events for tests, dated, organisation QWE unless told otherwise.
#ifndef ENGAGEMENT_TESTS_EVENT_BUILDERS_H_
#define ENGAGEMENT_TESTS_EVENT_BUILDERS_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "engagement/v1/event.pb.h"
#include "ledger/uuid.h"

namespace builders {

using engagement::v1::Event;

// Unix seconds of a UTC date "YYYY-MM-DD".
inline int64_t Day(const char* date) {
  absl::Time t;
  std::string error;
  absl::ParseTime("%Y-%m-%d", date, absl::UTCTimeZone(), &t, &error);
  return absl::ToUnixSeconds(t);
}

inline Event Base(const char* date, const std::string& org = "QWE") {
  Event event;
  event.mutable_occurred_at()->set_seconds(Day(date));
  event.set_organisation(org);
  event.set_actor("engagement-team@qwe");
  event.set_event_id(ledger::NewUuid());
  return event;
}

inline Event Opened(const std::string& id, const char* date,
                    engagement::v1::SpectrumLevel spectrum = engagement::v1::SPECTRUM_LEVEL_INVOLVE,
                    engagement::v1::DutyApplies duty = engagement::v1::DUTY_APPLIES_YES) {
  Event e = Base(date);
  auto* o = e.mutable_engagement_opened();
  o->set_engagement_id(id);
  o->set_title("Engagement " + id.substr(0, 4));
  o->set_topic("Diabetes");
  o->set_commissioning_stage(engagement::v1::COMMISSIONING_STAGE_SERVICE_DESIGN);
  o->set_spectrum_level(spectrum);
  o->set_scope_for_influence("How sessions are run");
  o->set_duty_to_involve(duty);
  o->set_duty_reason("Service change");
  o->set_lead_role("Head of Engagement");
  return e;
}

inline Event Participant(const std::string& id, const char* date,
                         std::vector<engagement::v1::PriorityGroup> groups = {},
                         uint32_t imd_decile = 0, bool equality = true,
                         engagement::v1::PpvRoleType role = engagement::v1::PPV_ROLE_TYPE_1) {
  Event e = Base(date);
  auto* p = e.mutable_participant_registered();
  p->set_participant_id(id);
  p->set_role_type(role);
  p->set_recruited_through(engagement::v1::INVITATION_CHANNEL_GP_PRACTICE);
  p->mutable_personal_data()->mutable_contact()->set_name("Test Person");
  if (equality) {
    auto* eq = p->mutable_personal_data()->mutable_equality();
    eq->set_age_band(engagement::v1::AGE_BAND_25_44);
    eq->set_sex(engagement::v1::SEX_NOT_STATED);
    eq->set_ethnic_category(engagement::v1::ETHNIC_CATEGORY_A_WHITE_BRITISH);
    eq->set_disability(engagement::v1::MONITORING_ANSWER_NO);
    eq->set_carer(engagement::v1::MONITORING_ANSWER_NO);
    eq->set_imd_decile(imd_decile);
    for (auto g : groups) eq->add_priority_groups(g);
  }
  return e;
}

inline Event Session(const std::string& engagement, const std::string& id, const char* date,
                     engagement::v1::EngagementMethod method,
                     std::vector<std::string> attendees = {}, int64_t cost_pence = 0) {
  Event e = Base(date);
  auto* s = e.mutable_session_held();
  s->set_engagement_id(engagement);
  s->set_session_id(id);
  s->set_title("Session " + id.substr(0, 4));
  s->set_method(method);
  s->set_duration_minutes(120);
  s->set_cost_pence(cost_pence);
  for (auto& a : attendees) s->add_attendee_participant_ids(a);
  return e;
}

inline Event Insight(const std::string& engagement, const std::string& id, const char* date,
                     std::vector<std::string> sessions, const std::string& summary = "") {
  Event e = Base(date);
  auto* i = e.mutable_insight_recorded();
  i->set_engagement_id(engagement);
  i->set_insight_id(id);
  i->set_theme("Theme " + id.substr(0, 4));
  i->set_summary(summary.empty() ? "People said " + id.substr(0, 4) : summary);
  for (auto& s : sessions) i->add_session_ids(s);
  i->set_participants_raising(5);
  return e;
}

struct Influence {
  std::string insight_id;
  engagement::v1::Influence influence;
  std::string reason = "Because";
};

inline Event Decision(const std::string& id, const char* date, std::vector<Influence> influences,
                      std::vector<std::string> engagements = {},
                      const std::string& paper = "GB/2025/114") {
  Event e = Base(date);
  auto* d = e.mutable_decision_recorded();
  d->set_decision_id(id);
  d->set_deciding_body(engagement::v1::DECIDING_BODY_GOVERNING_BODY);
  d->set_deciding_body_name("Governing Body");
  d->set_summary("Decision " + id.substr(0, 4));
  d->set_paper_reference(paper);
  for (auto& g : engagements) d->add_engagement_ids(g);
  for (auto& i : influences) {
    auto* in = d->add_influences();
    in->set_insight_id(i.insight_id);
    in->set_influence(i.influence);
    in->set_reason(i.reason);
  }
  return e;
}

inline Event Feedback(const std::string& engagement, const char* date,
                      std::vector<std::string> insights, std::vector<std::string> decisions) {
  Event e = Base(date);
  auto* f = e.mutable_feedback_given();
  f->set_feedback_id(ledger::NewUuid());
  f->set_engagement_id(engagement);
  f->set_audience(engagement::v1::FEEDBACK_AUDIENCE_ENGAGEMENT);
  f->set_channel(engagement::v1::CONTACT_METHOD_EMAIL);
  f->set_summary("You said, we did");
  for (auto& i : insights) f->add_insight_ids(i);
  for (auto& d : decisions) f->add_decision_ids(d);
  return e;
}

inline Event Closed(const std::string& engagement, const char* date) {
  Event e = Base(date);
  e.mutable_engagement_closed()->set_engagement_id(engagement);
  e.mutable_engagement_closed()->set_reason("completed");
  return e;
}

inline Event Consultation(const std::string& engagement, const char* from, const char* to) {
  Event e = Base(from);
  auto* c = e.mutable_consultation_window_set();
  c->set_consultation_id(ledger::NewUuid());
  c->set_engagement_id(engagement);
  c->set_information_pack_reference("Pack 1");
  c->mutable_starts_at()->set_seconds(Day(from));
  c->mutable_ends_at()->set_seconds(Day(to));
  return e;
}

inline Event Reimbursement(const std::string& engagement, const std::string& participant,
                           const char* date, engagement::v1::ReimbursementCategory category,
                           int64_t pence, engagement::v1::ReimbursementStatus status) {
  Event e = Base(date);
  auto* r = e.mutable_reimbursement_recorded();
  r->set_reimbursement_id(ledger::NewUuid());
  r->set_engagement_id(engagement);
  r->set_participant_id(participant);
  r->set_category(category);
  r->set_amount_pence(pence);
  r->set_status(status);
  return e;
}

inline Event Retraction(const std::string& event_id, const char* date) {
  Event e = Base(date);
  auto* c = e.mutable_event_corrected();
  c->set_corrected_event_id(event_id);
  c->set_kind(engagement::v1::CORRECTION_KIND_RETRACTED);
  c->set_reason("Recorded in error");
  return e;
}

inline Event Form(const std::string& engagement, const std::string& session, const char* date,
                  engagement::v1::Agreement listened, engagement::v1::Agreement difference,
                  engagement::v1::Agreement valued, engagement::v1::Agreement access) {
  Event e = Base(date);
  auto* f = e.mutable_evaluation_form_returned();
  f->set_engagement_id(engagement);
  f->set_session_id(session);
  f->set_form_id(ledger::NewUuid());
  f->set_felt_listened_to(listened);
  f->set_contribution_will_make_difference(difference);
  f->set_felt_valued(valued);
  f->set_access_needs_met(access);
  return e;
}

inline Event Information(const std::string& engagement, const char* date,
                         engagement::v1::InformationChannel channel, uint64_t people) {
  Event e = Base(date);
  auto* i = e.mutable_information_shared();
  i->set_engagement_id(engagement);
  i->set_information_id(ledger::NewUuid());
  i->set_channel(channel);
  i->set_people_reached(people);
  i->set_description("Information about the engagement");
  return e;
}

inline Event Return(const std::string& engagement, const std::string& session, const char* date,
                    bool forms_offered, const std::string& next_steps = "A summary to the group") {
  Event e = Base(date);
  auto* r = e.mutable_activity_returned();
  r->set_engagement_id(engagement);
  r->set_session_id(session);
  r->set_completed_by_role("Engagement officer");
  r->set_attendance(10);
  r->set_next_steps(next_steps);
  r->set_evaluation_forms_offered(forms_offered);
  if (!forms_offered) r->set_no_forms_reason("An online survey: no forms");
  return e;
}

}  // namespace builders

#endif  // ENGAGEMENT_TESTS_EVENT_BUILDERS_H_
