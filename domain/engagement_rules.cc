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
    case Event::kDutyToInvolveAssessed:
      return event.duty_to_involve_assessed().engagement_id().empty()
                 ? nullptr
                 : &event.duty_to_involve_assessed().engagement_id();
    default: return nullptr;
  }
}

bool AllowedWhenClosed(const Event& event) {
  return event.has_engagement_evaluated() || event.has_feedback_given() ||
         event.has_event_corrected();
}

}  // namespace

absl::Status EngagementRules::Load(const ledger::EventLog& log) {
  ledger::LogReadOptions options;
  return log.ReadLog(options, [&](const Event& event, absl::string_view) {
    model_.Apply(event, nullptr);
    return true;
  });
}

absl::Status EngagementRules::Check(const std::vector<Event>& events) {
  overlay_.Clear();
  for (size_t i = 0; i < events.size(); ++i) {
    absl::Status s = CheckOne(events[i], absl::StrCat("events[", i, "]"));
    if (!s.ok()) {
      overlay_.Clear();
      return s;
    }
    model_.Apply(events[i], &overlay_);
  }
  return absl::OkStatus();
}

void EngagementRules::Accept(const std::vector<Event>& events) { model_.Merge(std::move(overlay_)); }

absl::Status EngagementRules::CheckOne(const Event& event, const std::string& path) {
  const uint32_t org = model_.Organisation(event.organisation());
  // Field paths in messages: "events[2].session_held.attendee_participant_ids[0]".
  const std::string base = absl::StrCat(path, ".", ledger::EventType(event), ".");

  // `id` must name an existing thing of `kind`, in this organisation (and, when `engagement` is
  // given, of that engagement).
  auto require = [&](absl::string_view field, const std::string& id, EntityKind kind,
                     const std::string* engagement = nullptr) -> absl::Status {
    const Entity* found = model_.Find(id, &overlay_);
    std::string name(EntityKindName(kind));
    if (found == nullptr || found->kind != kind) {
      return Refuse(absl::StrCat(base, field), absl::StrCat(name, " ", id, " does not exist"));
    }
    if (found->organisation != org) {
      return Refuse(absl::StrCat(base, field),
                    absl::StrCat(name, " ", id, " belongs to another organisation"));
    }
    if (engagement != nullptr && found->engagement_id != *engagement) {
      return Refuse(absl::StrCat(base, field),
                    absl::StrCat(name, " ", id, " belongs to another engagement"));
    }
    return absl::OkStatus();
  };
  auto require_new = [&](absl::string_view field, const std::string& id) -> absl::Status {
    if (model_.Find(id, &overlay_) != nullptr) {
      return Refuse(absl::StrCat(base, field), absl::StrCat(id, " has already been recorded"));
    }
    return absl::OkStatus();
  };
#define LEDGER_RETURN_IF_ERROR(expr)   \
  do {                                 \
    absl::Status _s = (expr);          \
    if (!_s.ok()) return _s;           \
  } while (false)

  // The engagement the event belongs to: it exists, is ours, and is open (or the event may be
  // added after closing).
  if (const std::string* engagement = EngagementOf(event)) {
    LEDGER_RETURN_IF_ERROR(require("engagement_id", *engagement, EntityKind::kEngagement));
    if (model_.Find(*engagement, &overlay_)->closed && !AllowedWhenClosed(event)) {
      return Refuse(base + "engagement_id",
                    absl::StrCat("engagement ", *engagement,
                                 " is closed; only its evaluation, feedback and corrections may "
                                 "be added"));
    }
  }

  switch (event.payload_case()) {
    case Event::kEngagementOpened:
      return require_new("engagement_id", event.engagement_opened().engagement_id());
    case Event::kParticipantRegistered:
      return require_new("participant_id", event.participant_registered().participant_id());
    case Event::kConsentWithdrawn:
      return require("participant_id", event.consent_withdrawn().participant_id(),
                     EntityKind::kParticipant);
    case Event::kInvitationSent: {
      const auto& invitation = event.invitation_sent();
      LEDGER_RETURN_IF_ERROR(require_new("invitation_id", invitation.invitation_id()));
      if (!invitation.participant_id().empty()) {
        LEDGER_RETURN_IF_ERROR(
            require("participant_id", invitation.participant_id(), EntityKind::kParticipant));
      }
      if (!invitation.session_id().empty()) {
        return require("session_id", invitation.session_id(), EntityKind::kSession,
                       &invitation.engagement_id());
      }
      return absl::OkStatus();
    }
    case Event::kInvitationResponded:
      return require("invitation_id", event.invitation_responded().invitation_id(),
                     EntityKind::kInvitation, &event.invitation_responded().engagement_id());
    case Event::kSessionHeld: {
      const auto& session = event.session_held();
      LEDGER_RETURN_IF_ERROR(require_new("session_id", session.session_id()));
      for (int i = 0; i < session.attendee_participant_ids_size(); ++i) {
        std::string field = absl::StrCat("attendee_participant_ids[", i, "]");
        const std::string& id = session.attendee_participant_ids(i);
        LEDGER_RETURN_IF_ERROR(require(field, id, EntityKind::kParticipant));
        if (model_.Find(id, &overlay_)->consent_withdrawn) {
          return Refuse(base + field, absl::StrCat("participant ", id, " has withdrawn consent"));
        }
      }
      return absl::OkStatus();
    }
    case Event::kInsightRecorded: {
      const auto& insight = event.insight_recorded();
      LEDGER_RETURN_IF_ERROR(require_new("insight_id", insight.insight_id()));
      for (int i = 0; i < insight.session_ids_size(); ++i) {
        LEDGER_RETURN_IF_ERROR(require(absl::StrCat("session_ids[", i, "]"), insight.session_ids(i),
                                       EntityKind::kSession, &insight.engagement_id()));
      }
      return absl::OkStatus();
    }
    case Event::kInsightValidated: {
      const auto& validated = event.insight_validated();
      LEDGER_RETURN_IF_ERROR(require("insight_id", validated.insight_id(), EntityKind::kInsight,
                                     &validated.engagement_id()));
      if (!validated.session_id().empty()) {
        return require("session_id", validated.session_id(), EntityKind::kSession,
                       &validated.engagement_id());
      }
      return absl::OkStatus();
    }
    case Event::kInsightConsidered:
      return require("insight_id", event.insight_considered().insight_id(), EntityKind::kInsight,
                     &event.insight_considered().engagement_id());
    case Event::kDecisionRecorded: {
      const auto& decision = event.decision_recorded();
      LEDGER_RETURN_IF_ERROR(require_new("decision_id", decision.decision_id()));
      for (int i = 0; i < decision.engagement_ids_size(); ++i) {
        LEDGER_RETURN_IF_ERROR(require(absl::StrCat("engagement_ids[", i, "]"),
                                       decision.engagement_ids(i), EntityKind::kEngagement));
      }
      for (int i = 0; i < decision.influences_size(); ++i) {
        LEDGER_RETURN_IF_ERROR(require(absl::StrCat("influences[", i, "].insight_id"),
                                       decision.influences(i).insight_id(), EntityKind::kInsight));
      }
      return absl::OkStatus();
    }
    case Event::kFeedbackGiven: {
      const auto& feedback = event.feedback_given();
      for (int i = 0; i < feedback.insight_ids_size(); ++i) {
        LEDGER_RETURN_IF_ERROR(require(absl::StrCat("insight_ids[", i, "]"),
                                       feedback.insight_ids(i), EntityKind::kInsight,
                                       &feedback.engagement_id()));
      }
      for (int i = 0; i < feedback.decision_ids_size(); ++i) {
        LEDGER_RETURN_IF_ERROR(require(absl::StrCat("decision_ids[", i, "]"),
                                       feedback.decision_ids(i), EntityKind::kDecision));
      }
      if (!feedback.session_id().empty()) {
        LEDGER_RETURN_IF_ERROR(require("session_id", feedback.session_id(), EntityKind::kSession,
                                       &feedback.engagement_id()));
      }
      for (int i = 0; i < feedback.participant_ids_size(); ++i) {
        std::string field = absl::StrCat("participant_ids[", i, "]");
        const std::string& id = feedback.participant_ids(i);
        LEDGER_RETURN_IF_ERROR(require(field, id, EntityKind::kParticipant));
        if (!model_.Involved(id, feedback.engagement_id(), &overlay_)) {
          return Refuse(base + field, absl::StrCat("participant ", id,
                                                   " was not involved in this engagement"));
        }
      }
      return absl::OkStatus();
    }
    case Event::kReimbursementRecorded: {
      const auto& payment = event.reimbursement_recorded();
      LEDGER_RETURN_IF_ERROR(
          require("participant_id", payment.participant_id(), EntityKind::kParticipant));
      if (!payment.session_id().empty()) {
        return require("session_id", payment.session_id(), EntityKind::kSession,
                       &payment.engagement_id());
      }
      return absl::OkStatus();
    }
    case Event::kDutyToInvolveAssessed: {
      const std::string& decision = event.duty_to_involve_assessed().decision_id();
      const Entity* found = decision.empty() ? nullptr : model_.Find(decision, &overlay_);
      if (found != nullptr && (found->kind != EntityKind::kDecision || found->organisation != org)) {
        return require("decision_id", decision, EntityKind::kDecision);
      }
      return absl::OkStatus();
    }
    case Event::kEngagementClosed:
      return absl::OkStatus();  // closing a closed engagement was refused above
    case Event::kEventCorrected: {
      const auto& correction = event.event_corrected();
      std::optional<uint32_t> corrected =
          model_.EventOrganisation(correction.corrected_event_id(), &overlay_);
      if (!corrected.has_value()) {
        return Refuse(base + "corrected_event_id",
                      absl::StrCat("event ", correction.corrected_event_id(), " does not exist"));
      }
      if (*corrected != org) {
        return Refuse(base + "corrected_event_id", "that event belongs to another organisation");
      }
      if (!correction.replacement_event_id().empty()) {
        std::optional<uint32_t> replacement =
            model_.EventOrganisation(correction.replacement_event_id(), &overlay_);
        if (!replacement.has_value() || *replacement != org) {
          return Refuse(base + "replacement_event_id",
                        "must name an event of this organisation appended before the correction");
        }
      }
      return absl::OkStatus();
    }
    default:
      return absl::OkStatus();
  }
#undef LEDGER_RETURN_IF_ERROR
}

}  // namespace domain
