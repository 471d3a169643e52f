#include "domain/engagement_rules.h"

#include "absl/strings/str_cat.h"
#include "ledger/log_filter.h"

namespace domain {
namespace {

using engagement::v1::Event;

absl::Status Refuse(const std::string& field, absl::string_view why) {
  return absl::FailedPreconditionError(absl::StrCat(field, ": ", why));
}

// The engagement an event is appended to, if any (decisions name engagements they drew on but
// belong to none).
const std::string* EngagementOf(const Event& event) {
  switch (event.payload_case()) {
    case Event::kInvitationSent: return &event.invitation_sent().engagement_id();
    case Event::kInvitationResponded: return &event.invitation_responded().engagement_id();
    case Event::kSessionHeld: return &event.session_held().engagement_id();
    case Event::kInsightRecorded: return &event.insight_recorded().engagement_id();
    case Event::kInsightValidated: return &event.insight_validated().engagement_id();
    case Event::kInsightConsidered: return &event.insight_considered().engagement_id();
    case Event::kFeedbackGiven: return &event.feedback_given().engagement_id();
    case Event::kReimbursementRecorded: return &event.reimbursement_recorded().engagement_id();
    case Event::kConsultationWindowSet: return &event.consultation_window_set().engagement_id();
    case Event::kEngagementEvaluated: return &event.engagement_evaluated().engagement_id();
    case Event::kEngagementClosed: return &event.engagement_closed().engagement_id();
    case Event::kEvaluationFormReturned: return &event.evaluation_form_returned().engagement_id();
    case Event::kInformationShared: return &event.information_shared().engagement_id();
    case Event::kActivityReturned: return &event.activity_returned().engagement_id();
    case Event::kCaseStudyRecorded: return &event.case_study_recorded().engagement_id();
    case Event::kDutyToInvolveAssessed:
      return event.duty_to_involve_assessed().engagement_id().empty()
                 ? nullptr
                 : &event.duty_to_involve_assessed().engagement_id();
    default: return nullptr;
  }
}

// After closing, what looks back: the evaluation, feedback, corrections, the forms and returns
// of sessions already held, and case studies.
bool AllowedWhenClosed(const Event& event) {
  return event.has_engagement_evaluated() || event.has_feedback_given() ||
         event.has_event_corrected() || event.has_evaluation_form_returned() ||
         event.has_activity_returned() || event.has_case_study_recorded();
}

// Checks one event of a batch against the write model (which already holds the batch's earlier
// events). Field paths in messages: "events[2].session_held.attendee_participant_ids[0]".
class EventCheck {
 public:
  EventCheck(WriteModel& model, ledger::GuardState& state, const std::vector<Event>& events,
             size_t index)
      : model_(model),
        state_(state),
        events_(events),
        event_(events[index]),
        index_(index),
        base_(absl::StrCat("events[", index, "].", ledger::EventType(event_), ".")) {}

  absl::Status Run();

 private:
  // `id` names an existing thing of `kind`, in this organisation (and, when `engagement` is
  // given, of that engagement).
  absl::StatusOr<Entity> Require(absl::string_view field, const std::string& id, EntityKind kind,
                                 const std::string* engagement = nullptr);
  // `id` names nothing recorded yet.
  absl::Status RequireNew(absl::string_view field, const std::string& id);
  // The organisation of the event with `event_id`: earlier in this batch, or stored.
  absl::StatusOr<std::optional<std::string>> EventOrganisation(const std::string& event_id);
  absl::Status CheckPayload();
  absl::Status CheckSession();
  absl::Status CheckFeedback();
  absl::Status CheckCorrection();

  WriteModel& model_;
  ledger::GuardState& state_;
  const std::vector<Event>& events_;
  const Event& event_;
  const size_t index_;
  const std::string base_;
};

absl::StatusOr<Entity> EventCheck::Require(absl::string_view field, const std::string& id,
                                           EntityKind kind, const std::string* engagement) {
  absl::StatusOr<std::optional<Entity>> found = model_.Find(id);
  if (!found.ok()) return found.status();
  std::string name(EntityKindName(kind));
  if (!found->has_value() || (*found)->kind != kind) {
    return Refuse(absl::StrCat(base_, field), absl::StrCat(name, " ", id, " does not exist"));
  }
  if ((*found)->organisation != event_.organisation()) {
    return Refuse(absl::StrCat(base_, field),
                  absl::StrCat(name, " ", id, " belongs to another organisation"));
  }
  if (engagement != nullptr && (*found)->engagement_id != *engagement) {
    return Refuse(absl::StrCat(base_, field),
                  absl::StrCat(name, " ", id, " belongs to another engagement"));
  }
  return **std::move(found);
}

absl::Status EventCheck::RequireNew(absl::string_view field, const std::string& id) {
  absl::StatusOr<std::optional<Entity>> found = model_.Find(id);
  if (!found.ok()) return found.status();
  if (found->has_value()) {
    return Refuse(absl::StrCat(base_, field), absl::StrCat(id, " has already been recorded"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<std::string>> EventCheck::EventOrganisation(
    const std::string& event_id) {
  for (size_t i = 0; i < index_; ++i) {
    if (events_[i].event_id() == event_id) return events_[i].organisation();
  }
  absl::StatusOr<Event> stored = state_.FindEvent(event_id);
  if (absl::IsNotFound(stored.status())) return std::nullopt;
  if (!stored.ok()) return stored.status();
  return stored->organisation();
}

#define RETURN_IF_ERROR(expr)         \
  do {                                \
    absl::Status status_ = (expr);    \
    if (!status_.ok()) return status_; \
  } while (false)

absl::Status EventCheck::Run() {
  // The engagement the event belongs to: it exists, is ours, and is open (or the event may be
  // added after closing).
  if (const std::string* engagement = EngagementOf(event_)) {
    absl::StatusOr<Entity> found = Require("engagement_id", *engagement, EntityKind::kEngagement);
    if (!found.ok()) return found.status();
    if (found->closed && !AllowedWhenClosed(event_)) {
      return Refuse(base_ + "engagement_id",
                    absl::StrCat("engagement ", *engagement,
                                 " is closed; only its evaluation, feedback, corrections, case "
                                 "studies and its sessions' forms and returns may be added"));
    }
  }
  return CheckPayload();
}

absl::Status EventCheck::CheckPayload() {
  switch (event_.payload_case()) {
    case Event::kEngagementOpened:
      return RequireNew("engagement_id", event_.engagement_opened().engagement_id());
    case Event::kParticipantRegistered:
      if (event_.participant_registered().has_personal_data()) {
        return Refuse(base_ + "personal_data",
                      "personal data must be sealed before it is recorded (the ledger's services "
                      "seal it; see domain/personal_data_sealer.h)");
      }
      return RequireNew("participant_id", event_.participant_registered().participant_id());
    case Event::kParticipantErased:
      return Require("participant_id", event_.participant_erased().participant_id(),
                     EntityKind::kParticipant)
          .status();
    case Event::kPersonalDataDisclosed: {
      const auto& disclosed = event_.personal_data_disclosed();
      for (int i = 0; i < disclosed.participant_ids_size(); ++i) {
        RETURN_IF_ERROR(Require(absl::StrCat("participant_ids[", i, "]"),
                                disclosed.participant_ids(i), EntityKind::kParticipant)
                            .status());
      }
      return absl::OkStatus();
    }
    case Event::kConsentWithdrawn:
      return Require("participant_id", event_.consent_withdrawn().participant_id(),
                     EntityKind::kParticipant)
          .status();
    case Event::kInvitationSent: {
      const auto& invitation = event_.invitation_sent();
      RETURN_IF_ERROR(RequireNew("invitation_id", invitation.invitation_id()));
      if (!invitation.participant_id().empty()) {
        absl::StatusOr<Entity> person =
            Require("participant_id", invitation.participant_id(), EntityKind::kParticipant);
        if (!person.ok()) return person.status();
        if (person->consent_withdrawn) {
          return Refuse(base_ + "participant_id",
                        absl::StrCat("participant ", invitation.participant_id(),
                                     " has withdrawn consent"));
        }
      }
      if (!invitation.session_id().empty()) {
        return Require("session_id", invitation.session_id(), EntityKind::kSession,
                       &invitation.engagement_id())
            .status();
      }
      return absl::OkStatus();
    }
    case Event::kInvitationResponded:
      return Require("invitation_id", event_.invitation_responded().invitation_id(),
                     EntityKind::kInvitation, &event_.invitation_responded().engagement_id())
          .status();
    case Event::kSessionHeld:
      return CheckSession();
    case Event::kInsightRecorded: {
      const auto& insight = event_.insight_recorded();
      RETURN_IF_ERROR(RequireNew("insight_id", insight.insight_id()));
      for (int i = 0; i < insight.session_ids_size(); ++i) {
        RETURN_IF_ERROR(Require(absl::StrCat("session_ids[", i, "]"), insight.session_ids(i),
                                EntityKind::kSession, &insight.engagement_id())
                            .status());
      }
      return absl::OkStatus();
    }
    case Event::kInsightValidated: {
      const auto& validated = event_.insight_validated();
      RETURN_IF_ERROR(Require("insight_id", validated.insight_id(), EntityKind::kInsight,
                              &validated.engagement_id())
                          .status());
      if (!validated.session_id().empty()) {
        return Require("session_id", validated.session_id(), EntityKind::kSession,
                       &validated.engagement_id())
            .status();
      }
      return absl::OkStatus();
    }
    case Event::kInsightConsidered:
      return Require("insight_id", event_.insight_considered().insight_id(), EntityKind::kInsight,
                     &event_.insight_considered().engagement_id())
          .status();
    case Event::kDecisionRecorded: {
      const auto& decision = event_.decision_recorded();
      RETURN_IF_ERROR(RequireNew("decision_id", decision.decision_id()));
      for (int i = 0; i < decision.engagement_ids_size(); ++i) {
        RETURN_IF_ERROR(Require(absl::StrCat("engagement_ids[", i, "]"),
                                decision.engagement_ids(i), EntityKind::kEngagement)
                            .status());
      }
      for (int i = 0; i < decision.influences_size(); ++i) {
        RETURN_IF_ERROR(Require(absl::StrCat("influences[", i, "].insight_id"),
                                decision.influences(i).insight_id(), EntityKind::kInsight)
                            .status());
      }
      return absl::OkStatus();
    }
    case Event::kFeedbackGiven:
      return CheckFeedback();
    case Event::kReimbursementRecorded: {
      const auto& payment = event_.reimbursement_recorded();
      RETURN_IF_ERROR(
          Require("participant_id", payment.participant_id(), EntityKind::kParticipant).status());
      if (!payment.session_id().empty()) {
        return Require("session_id", payment.session_id(), EntityKind::kSession,
                       &payment.engagement_id())
            .status();
      }
      return absl::OkStatus();
    }
    case Event::kDutyToInvolveAssessed: {
      // An assessment may come before its decision; if the decision exists, it must be ours.
      const std::string& decision = event_.duty_to_involve_assessed().decision_id();
      if (decision.empty()) return absl::OkStatus();
      absl::StatusOr<std::optional<Entity>> found = model_.Find(decision);
      if (!found.ok()) return found.status();
      if (found->has_value() && ((*found)->kind != EntityKind::kDecision ||
                                 (*found)->organisation != event_.organisation())) {
        return Require("decision_id", decision, EntityKind::kDecision).status();
      }
      return absl::OkStatus();
    }
    case Event::kEngagementClosed:
      return absl::OkStatus();  // closing a closed engagement was refused in Run
    case Event::kEventCorrected:
      return CheckCorrection();
    case Event::kEvaluationFormReturned: {
      const auto& form = event_.evaluation_form_returned();
      RETURN_IF_ERROR(RequireNew("form_id", form.form_id()));
      return Require("session_id", form.session_id(), EntityKind::kSession, &form.engagement_id())
          .status();
    }
    case Event::kInformationShared:
      return RequireNew("information_id", event_.information_shared().information_id());
    case Event::kActivityReturned:
      return Require("session_id", event_.activity_returned().session_id(), EntityKind::kSession,
                     &event_.activity_returned().engagement_id())
          .status();
    default:
      return absl::OkStatus();
  }
}

absl::Status EventCheck::CheckSession() {
  const auto& session = event_.session_held();
  RETURN_IF_ERROR(RequireNew("session_id", session.session_id()));
  for (int i = 0; i < session.attendee_participant_ids_size(); ++i) {
    std::string field = absl::StrCat("attendee_participant_ids[", i, "]");
    const std::string& id = session.attendee_participant_ids(i);
    absl::StatusOr<Entity> person = Require(field, id, EntityKind::kParticipant);
    if (!person.ok()) return person.status();
    if (person->consent_withdrawn) {
      return Refuse(base_ + field, absl::StrCat("participant ", id, " has withdrawn consent"));
    }
  }
  return absl::OkStatus();
}

absl::Status EventCheck::CheckFeedback() {
  const auto& feedback = event_.feedback_given();
  for (int i = 0; i < feedback.insight_ids_size(); ++i) {
    RETURN_IF_ERROR(Require(absl::StrCat("insight_ids[", i, "]"), feedback.insight_ids(i),
                            EntityKind::kInsight, &feedback.engagement_id())
                        .status());
  }
  for (int i = 0; i < feedback.decision_ids_size(); ++i) {
    RETURN_IF_ERROR(Require(absl::StrCat("decision_ids[", i, "]"), feedback.decision_ids(i),
                            EntityKind::kDecision)
                        .status());
  }
  if (!feedback.session_id().empty()) {
    RETURN_IF_ERROR(Require("session_id", feedback.session_id(), EntityKind::kSession,
                            &feedback.engagement_id())
                        .status());
  }
  for (int i = 0; i < feedback.participant_ids_size(); ++i) {
    std::string field = absl::StrCat("participant_ids[", i, "]");
    const std::string& id = feedback.participant_ids(i);
    RETURN_IF_ERROR(Require(field, id, EntityKind::kParticipant).status());
    absl::StatusOr<bool> involved = model_.Involved(id, feedback.engagement_id());
    if (!involved.ok()) return involved.status();
    if (!*involved) {
      return Refuse(base_ + field,
                    absl::StrCat("participant ", id, " was not involved in this engagement"));
    }
  }
  return absl::OkStatus();
}

absl::Status EventCheck::CheckCorrection() {
  const auto& correction = event_.event_corrected();
  absl::StatusOr<std::optional<std::string>> corrected =
      EventOrganisation(correction.corrected_event_id());
  if (!corrected.ok()) return corrected.status();
  if (!corrected->has_value()) {
    return Refuse(base_ + "corrected_event_id",
                  absl::StrCat("event ", correction.corrected_event_id(), " does not exist"));
  }
  if (**corrected != event_.organisation()) {
    return Refuse(base_ + "corrected_event_id", "that event belongs to another organisation");
  }
  if (!correction.replacement_event_id().empty()) {
    absl::StatusOr<std::optional<std::string>> replacement =
        EventOrganisation(correction.replacement_event_id());
    if (!replacement.ok()) return replacement.status();
    if (!replacement->has_value() || **replacement != event_.organisation()) {
      return Refuse(base_ + "replacement_event_id",
                    "must name an event of this organisation appended before the correction");
    }
  }
  return absl::OkStatus();
}

#undef RETURN_IF_ERROR

}  // namespace

absl::Status EngagementRules::Check(const std::vector<Event>& events, ledger::GuardState& state) {
  WriteModel model(state);
  for (size_t i = 0; i < events.size(); ++i) {
    absl::Status checked = EventCheck(model, state, events, i).Run();
    if (!checked.ok()) return checked;
    absl::Status applied = model.Apply(events[i]);
    if (!applied.ok()) return applied;
  }
  return absl::OkStatus();
}

absl::Status EngagementRules::Apply(const Event& event, ledger::GuardState& state) {
  WriteModel model(state);
  return model.Apply(event);
}

}  // namespace domain
