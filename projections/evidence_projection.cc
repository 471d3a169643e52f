#include "projections/evidence_projection.h"

#include "absl/strings/str_cat.h"
#include "projections/evidence_records.pb.h"
#include "projections/personal_data_opener.h"

namespace projections {
namespace {

namespace records = engagement::projections::v1;
using engagement::v1::Event;

std::string Key(char kind, absl::string_view org, absl::string_view id) {
  return absl::StrCat(std::string(1, kind), "/", org, "/", id);
}

std::string EventIndexKey(absl::string_view event_id) { return absl::StrCat("x/", event_id); }

// Loads the record at `key` (an empty one when missing), lets `change` edit it, writes it back.
template <typename Record, typename Change>
absl::Status Update(StateWriter& state, const std::string& key, Change change) {
  Record record;
  absl::StatusOr<bool> found = GetRecord(state, key, &record);
  if (!found.ok()) return found.status();
  change(record, *found);
  PutRecord(state, key, record);
  return absl::OkStatus();
}

// Creates a record and remembers which event created it.
void Create(StateWriter& state, const Event& event, const std::string& key,
            const google::protobuf::Message& record) {
  PutRecord(state, key, record);
  records::EventIndexRecord index;
  index.set_record_key(key);
  PutRecord(state, EventIndexKey(event.event_id()), index);
}

template <typename Record>
absl::Status MarkRetracted(StateWriter& state, const std::string& key) {
  return Update<Record>(state, key, [](Record& r, bool) { r.set_retracted(true); });
}

// Retracts whatever record `event_id` created; events that created none (links, statuses) have
// their effect ignored by the reports through the records they link.
absl::Status Retract(StateWriter& state, absl::string_view event_id) {
  records::EventIndexRecord index;
  absl::StatusOr<bool> found = GetRecord(state, EventIndexKey(event_id), &index);
  if (!found.ok()) return found.status();
  if (!*found) return absl::OkStatus();
  const std::string& key = index.record_key();
  switch (key.empty() ? ' ' : key[0]) {
    case 'e': return MarkRetracted<records::EngagementRecord>(state, key);
    case 's': return MarkRetracted<records::SessionRecord>(state, key);
    case 'p': return MarkRetracted<records::ParticipantRecord>(state, key);
    case 'i': return MarkRetracted<records::InsightRecord>(state, key);
    case 'd': return MarkRetracted<records::DecisionRecord>(state, key);
    case 'f': return MarkRetracted<records::FeedbackRecord>(state, key);
    case 'r': return MarkRetracted<records::ReimbursementRecord>(state, key);
    case 'c': return MarkRetracted<records::ConsultationRecord>(state, key);
    case 'a': return MarkRetracted<records::DutyAssessmentRecord>(state, key);
    case 'n': return MarkRetracted<records::InformationRecord>(state, key);
    case 'v': return MarkRetracted<records::EvaluationFormRecord>(state, key);
    case 'w': return MarkRetracted<records::ActivityReturnRecord>(state, key);
    case 'k': return MarkRetracted<records::CaseStudyRecord>(state, key);
    case 'j': return MarkRetracted<records::InvitationRecord>(state, key);
    default: return absl::DataLossError("event index names an unknown kind of record");
  }
}

}  // namespace

std::string EngagementKey(absl::string_view org, absl::string_view id) { return Key('e', org, id); }
std::string SessionKey(absl::string_view org, absl::string_view id) { return Key('s', org, id); }
std::string ParticipantKey(absl::string_view org, absl::string_view id) { return Key('p', org, id); }
std::string InsightKey(absl::string_view org, absl::string_view id) { return Key('i', org, id); }
std::string DecisionKey(absl::string_view org, absl::string_view id) { return Key('d', org, id); }
std::string FeedbackKey(absl::string_view org, absl::string_view id) { return Key('f', org, id); }
std::string KindPrefix(char kind, absl::string_view org) {
  return absl::StrCat(std::string(1, kind), "/", org, "/");
}

absl::Status EvidenceProjection::Apply(const Event& event, StateWriter& state) {
  const std::string& org = event.organisation();
  const int64_t at = event.occurred_at().seconds();
  const uint64_t position = event.position();
  switch (event.payload_case()) {
    case Event::kEngagementOpened: {
      const auto& in = event.engagement_opened();
      records::EngagementRecord r;
      r.set_title(in.title());
      r.set_topic(in.topic());
      r.set_opened_at(at);
      r.set_stage(in.commissioning_stage());
      r.set_spectrum(in.spectrum_level());
      *r.mutable_targets() = in.target_groups();
      r.set_duty(in.duty_to_involve());
      r.set_planned_budget_pence(in.planned_budget_pence());
      r.set_position(position);
      Create(state, event, EngagementKey(org, in.engagement_id()), r);
      return absl::OkStatus();
    }
    case Event::kEngagementEvaluated:
      return Update<records::EngagementRecord>(
          state, EngagementKey(org, event.engagement_evaluated().engagement_id()),
          [&](records::EngagementRecord& r, bool) {
            r.set_evaluated(true);
            r.set_aims_met(event.engagement_evaluated().aims_met());
          });
    case Event::kEngagementClosed:
      return Update<records::EngagementRecord>(
          state, EngagementKey(org, event.engagement_closed().engagement_id()),
          [&](records::EngagementRecord& r, bool) { r.set_closed_at(at); });
    case Event::kParticipantRegistered: {
      const auto& in = event.participant_registered();
      records::ParticipantRecord r;
      r.set_role_type(in.role_type());
      absl::StatusOr<OpenedPersonalData> opened = OpenPersonalData(event, keys_);
      if (!opened.ok()) return opened.status();
      if (opened->state == OpenedPersonalData::State::kErased) r.set_erased(true);
      if (in.has_sealed_personal_data()) r.set_sealed(true);
      if (opened->state == OpenedPersonalData::State::kClear && opened->data.has_equality()) {
        const auto& eq = opened->data.equality();
        r.set_has_equality(true);
        r.set_age_band(eq.age_band());
        r.set_ethnic_category(eq.ethnic_category());
        r.set_disability(eq.disability());
        r.set_carer(eq.carer());
        r.set_imd_decile(eq.imd_decile());
        *r.mutable_priority_groups() = eq.priority_groups();
        *r.mutable_inclusion_health_groups() = eq.inclusion_health_groups();
      }
      Create(state, event, ParticipantKey(org, in.participant_id()), r);
      return absl::OkStatus();
    }
    case Event::kConsentWithdrawn:
    case Event::kParticipantErased: {
      bool erase = event.has_participant_erased() ||
                   event.consent_withdrawn().erase_personal_data();
      const std::string& participant = event.has_participant_erased()
                                           ? event.participant_erased().participant_id()
                                           : event.consent_withdrawn().participant_id();
      return Update<records::ParticipantRecord>(
          state, ParticipantKey(org, participant),
          [&](records::ParticipantRecord& r, bool) {
            r.set_consent_withdrawn(true);
            if (erase) {
              records::ParticipantRecord erased;
              erased.set_role_type(r.role_type());
              erased.set_consent_withdrawn(true);
              erased.set_erased(true);
              erased.set_retracted(r.retracted());
              erased.set_sealed(r.sealed());
              r = erased;
            }
          });
    }
    case Event::kSessionHeld: {
      const auto& in = event.session_held();
      records::SessionRecord r;
      r.set_engagement_id(in.engagement_id());
      r.set_title(in.title());
      r.set_method(in.method());
      r.set_held_at(at);
      *r.mutable_attendees() = in.attendee_participant_ids();
      r.set_unregistered(in.unregistered_attendee_count());
      r.set_cost_pence(in.cost_pence());
      r.set_independent_facilitator(in.independent_facilitator());
      r.set_position(position);
      Create(state, event, SessionKey(org, in.session_id()), r);
      return absl::OkStatus();
    }
    case Event::kInsightRecorded: {
      const auto& in = event.insight_recorded();
      records::InsightRecord r;
      r.set_engagement_id(in.engagement_id());
      r.set_recorded_at(at);
      r.set_theme(in.theme());
      r.set_summary(in.summary());
      *r.mutable_session_ids() = in.session_ids();
      r.set_participants_raising(in.participants_raising());
      r.set_position(position);
      Create(state, event, InsightKey(org, in.insight_id()), r);
      return absl::OkStatus();
    }
    case Event::kInsightValidated:
      return Update<records::InsightRecord>(
          state, InsightKey(org, event.insight_validated().insight_id()),
          [](records::InsightRecord& r, bool) { r.set_validated(true); });
    case Event::kInsightConsidered: {
      const auto& in = event.insight_considered();
      return Update<records::InsightRecord>(
          state, InsightKey(org, in.insight_id()), [&](records::InsightRecord& r, bool) {
            auto* link = r.add_considerations();
            link->set_body_name(in.body_name());
            link->set_considered_at(at);
            link->set_reference(in.reference());
            link->set_position(position);
          });
    }
    case Event::kDecisionRecorded: {
      const auto& in = event.decision_recorded();
      records::DecisionRecord r;
      r.set_decided_at(at);
      r.set_body(in.deciding_body());
      r.set_body_name(in.deciding_body_name());
      r.set_summary(in.summary());
      r.set_paper_reference(in.paper_reference());
      *r.mutable_engagement_ids() = in.engagement_ids();
      // An assessment recorded before the decision already left its answer here.
      records::DecisionRecord earlier;
      absl::StatusOr<bool> found = GetRecord(state, DecisionKey(org, in.decision_id()), &earlier);
      if (!found.ok()) return found.status();
      r.set_duty(earlier.duty());
      for (const auto& influence : in.influences()) {
        r.add_insight_ids(influence.insight_id());
        absl::Status s = Update<records::InsightRecord>(
            state, InsightKey(org, influence.insight_id()), [&](records::InsightRecord& i, bool) {
              auto* link = i.add_decisions();
              link->set_decision_id(in.decision_id());
              link->set_decided_at(at);
              link->set_influence(influence.influence());
              link->set_reason(influence.reason());
              link->set_position(position);
            });
        if (!s.ok()) return s;
      }
      r.set_position(position);
      Create(state, event, DecisionKey(org, in.decision_id()), r);
      return absl::OkStatus();
    }
    case Event::kFeedbackGiven: {
      const auto& in = event.feedback_given();
      records::FeedbackRecord r;
      r.set_engagement_id(in.engagement_id());
      r.set_given_at(at);
      *r.mutable_insight_ids() = in.insight_ids();
      *r.mutable_decision_ids() = in.decision_ids();
      r.set_summary(in.summary());
      r.set_position(position);
      auto link = [&](auto& target, bool) {
        auto* f = target.add_feedback();
        f->set_feedback_id(in.feedback_id());
        f->set_given_at(at);
        f->set_position(position);
      };
      for (const std::string& id : in.insight_ids()) {
        absl::Status s = Update<records::InsightRecord>(state, InsightKey(org, id), link);
        if (!s.ok()) return s;
      }
      for (const std::string& id : in.decision_ids()) {
        absl::Status s = Update<records::DecisionRecord>(state, DecisionKey(org, id), link);
        if (!s.ok()) return s;
      }
      Create(state, event, FeedbackKey(org, in.feedback_id()), r);
      return absl::OkStatus();
    }
    case Event::kReimbursementRecorded: {
      const auto& in = event.reimbursement_recorded();
      std::string key = Key('r', org, in.reimbursement_id());
      absl::Status s = Update<records::ReimbursementRecord>(
          state, key, [&](records::ReimbursementRecord& r, bool) {
            r.set_engagement_id(in.engagement_id());
            r.set_participant_id(in.participant_id());
            r.set_category(in.category());
            r.set_amount_pence(in.amount_pence());
            r.set_status(in.status());
            r.set_updated_at(at);
          });
      if (!s.ok()) return s;
      records::EventIndexRecord index;
      index.set_record_key(key);
      PutRecord(state, EventIndexKey(event.event_id()), index);
      return absl::OkStatus();
    }
    case Event::kConsultationWindowSet: {
      const auto& in = event.consultation_window_set();
      records::ConsultationRecord r;
      r.set_engagement_id(in.engagement_id());
      r.set_starts_at(in.starts_at().seconds());
      r.set_ends_at(in.ends_at().seconds());
      Create(state, event, Key('c', org, in.consultation_id()), r);
      return absl::OkStatus();
    }
    case Event::kDutyToInvolveAssessed: {
      const auto& in = event.duty_to_involve_assessed();
      records::DutyAssessmentRecord r;
      r.set_engagement_id(in.engagement_id());
      r.set_decision_id(in.decision_id());
      r.set_applies(in.applies());
      r.set_limb(in.limb());
      Create(state, event, Key('a', org, in.assessment_id()), r);
      if (!in.decision_id().empty()) {
        // The decision may come later: the record is created (or updated) with the answer.
        return Update<records::DecisionRecord>(
            state, DecisionKey(org, in.decision_id()),
            [&](records::DecisionRecord& d, bool) { d.set_duty(in.applies()); });
      }
      return absl::OkStatus();
    }
    case Event::kInvitationSent: {
      const auto& in = event.invitation_sent();
      records::InvitationRecord r;
      r.set_engagement_id(in.engagement_id());
      if (in.has_channel()) r.set_channel(in.channel());
      r.set_sent_at(at);
      Create(state, event, Key('j', org, in.invitation_id()), r);
      return absl::OkStatus();
    }
    case Event::kInformationShared: {
      const auto& in = event.information_shared();
      records::InformationRecord r;
      r.set_engagement_id(in.engagement_id());
      r.set_channel(in.channel());
      r.set_people_reached(in.people_reached());
      r.set_shared_at(at);
      r.set_description(in.description());
      r.set_position(position);
      Create(state, event, Key('n', org, in.information_id()), r);
      return absl::OkStatus();
    }
    case Event::kEvaluationFormReturned: {
      const auto& in = event.evaluation_form_returned();
      records::EvaluationFormRecord r;
      r.set_engagement_id(in.engagement_id());
      r.set_session_id(in.session_id());
      r.set_felt_listened_to(in.felt_listened_to());
      r.set_contribution_will_make_difference(in.contribution_will_make_difference());
      r.set_felt_valued(in.felt_valued());
      r.set_access_needs_met(in.access_needs_met());
      r.set_returned_at(at);
      Create(state, event, Key('v', org, in.form_id()), r);
      return absl::OkStatus();
    }
    case Event::kActivityReturned: {
      const auto& in = event.activity_returned();
      records::ActivityReturnRecord r;
      r.set_engagement_id(in.engagement_id());
      r.set_session_id(in.session_id());
      r.set_attendance(in.attendance());
      r.set_next_steps(in.next_steps());
      r.set_evaluation_forms_offered(in.evaluation_forms_offered());
      r.set_no_forms_reason(in.no_forms_reason());
      r.set_returned_at(at);
      r.set_position(position);
      Create(state, event, Key('w', org, in.session_id()), r);
      return absl::OkStatus();
    }
    case Event::kCaseStudyRecorded: {
      const auto& in = event.case_study_recorded();
      records::CaseStudyRecord r;
      r.set_engagement_id(in.engagement_id());
      r.set_title(in.title());
      r.set_beginning(in.beginning());
      r.set_middle(in.middle());
      r.set_end(in.end());
      r.set_impact(in.impact());
      r.set_recorded_at(at);
      r.set_position(position);
      Create(state, event, Key('k', org, in.case_study_id()), r);
      return absl::OkStatus();
    }
    case Event::kEventCorrected:
      return Retract(state, event.event_corrected().corrected_event_id());
    default:
      return absl::OkStatus();
  }
}

}  // namespace projections
