#include "domain/write_model.h"

#include "absl/strings/str_cat.h"
#include "ledger/log_format.h"

namespace domain {
namespace {

using engagement::v1::Event;

constexpr uint8_t kClosed = 1;
constexpr uint8_t kConsentWithdrawn = 2;
constexpr uint8_t kErased = 4;

std::string EntityKey(absl::string_view id) { return absl::StrCat("e", id); }

std::string RegistrationKey(absl::string_view participant_id) {
  return absl::StrCat("r", participant_id);
}

std::string InvolvementKey(absl::string_view participant_id, absl::string_view engagement_id) {
  return absl::StrCat("i", participant_id, "/", engagement_id);
}

std::string Encode(const Entity& entity) {
  std::string bytes;
  bytes.push_back(static_cast<char>(entity.kind));
  bytes.push_back(static_cast<char>((entity.closed ? kClosed : 0) |
                                    (entity.consent_withdrawn ? kConsentWithdrawn : 0) |
                                    (entity.erased ? kErased : 0)));
  bytes.push_back(static_cast<char>(entity.organisation.size()));
  absl::StrAppend(&bytes, entity.organisation, entity.engagement_id);
  return bytes;
}

absl::StatusOr<Entity> Decode(absl::string_view id, absl::string_view bytes) {
  auto malformed = [&] {
    return absl::DataLossError(absl::StrCat("the write model's record of ", id, " is malformed"));
  };
  if (bytes.size() < 3) return malformed();
  Entity entity;
  uint8_t kind = static_cast<uint8_t>(bytes[0]);
  if (kind < 1 || kind > 8) return malformed();
  entity.kind = static_cast<EntityKind>(kind);
  uint8_t flags = static_cast<uint8_t>(bytes[1]);
  entity.closed = (flags & kClosed) != 0;
  entity.consent_withdrawn = (flags & kConsentWithdrawn) != 0;
  entity.erased = (flags & kErased) != 0;
  size_t ods_size = static_cast<uint8_t>(bytes[2]);
  if (bytes.size() < 3 + ods_size) return malformed();
  entity.organisation = std::string(bytes.substr(3, ods_size));
  entity.engagement_id = std::string(bytes.substr(3 + ods_size));
  return entity;
}

}  // namespace

absl::string_view EntityKindName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kEngagement: return "engagement";
    case EntityKind::kSession: return "session";
    case EntityKind::kInsight: return "insight";
    case EntityKind::kDecision: return "decision";
    case EntityKind::kParticipant: return "participant";
    case EntityKind::kInvitation: return "invitation";
    case EntityKind::kEvaluationForm: return "evaluation form";
    case EntityKind::kInformationShared: return "information shared";
  }
  return "thing";
}

absl::StatusOr<std::optional<Entity>> WriteModel::Find(absl::string_view id) {
  absl::StatusOr<std::optional<std::string>> bytes = state_.Get(EntityKey(id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  absl::StatusOr<Entity> entity = Decode(id, **bytes);
  if (!entity.ok()) return entity.status();
  return *std::move(entity);
}

absl::StatusOr<bool> WriteModel::Involved(absl::string_view participant_id,
                                          absl::string_view engagement_id) {
  absl::StatusOr<std::optional<std::string>> marker =
      state_.Get(InvolvementKey(participant_id, engagement_id));
  if (!marker.ok()) return marker.status();
  return marker->has_value();
}

void WriteModel::Put(absl::string_view id, const Entity& entity) {
  state_.Put(EntityKey(id), Encode(entity));
}

absl::Status WriteModel::Mark(absl::string_view id, bool Entity::*flag) {
  absl::StatusOr<std::optional<Entity>> found = Find(id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return absl::OkStatus();
  Entity entity = **found;
  entity.*flag = true;
  Put(id, entity);
  return absl::OkStatus();
}

void WriteModel::Involve(absl::string_view participant_id, absl::string_view engagement_id) {
  state_.Put(InvolvementKey(participant_id, engagement_id), "");
}

absl::Status WriteModel::Apply(const Event& event) {
  auto entity = [&](EntityKind kind, const std::string& engagement_id = "") {
    Entity e;
    e.kind = kind;
    e.organisation = event.organisation();
    e.engagement_id = engagement_id;
    return e;
  };
  switch (event.payload_case()) {
    case Event::kEngagementOpened:
      Put(event.engagement_opened().engagement_id(), entity(EntityKind::kEngagement));
      break;
    case Event::kEngagementClosed:
      return Mark(event.engagement_closed().engagement_id(), &Entity::closed);
    case Event::kParticipantRegistered:
      Put(event.participant_registered().participant_id(), entity(EntityKind::kParticipant));
      state_.Put(RegistrationKey(event.participant_registered().participant_id()),
                 ledger::log_format::EncodeFixed64BE(event.position()));
      break;
    case Event::kConsentWithdrawn:
      return Mark(event.consent_withdrawn().participant_id(), &Entity::consent_withdrawn);
    case Event::kParticipantErased: {
      // Erasure implies withdrawal: an erased person is never invited or recorded again.
      absl::Status marked = Mark(event.participant_erased().participant_id(), &Entity::erased);
      if (!marked.ok()) return marked;
      return Mark(event.participant_erased().participant_id(), &Entity::consent_withdrawn);
    }
    case Event::kSessionHeld: {
      const auto& session = event.session_held();
      Put(session.session_id(), entity(EntityKind::kSession, session.engagement_id()));
      for (const std::string& participant : session.attendee_participant_ids()) {
        Involve(participant, session.engagement_id());
      }
      break;
    }
    case Event::kInvitationSent: {
      const auto& invitation = event.invitation_sent();
      Put(invitation.invitation_id(), entity(EntityKind::kInvitation, invitation.engagement_id()));
      if (!invitation.participant_id().empty()) {
        Involve(invitation.participant_id(), invitation.engagement_id());
      }
      break;
    }
    case Event::kInsightRecorded:
      Put(event.insight_recorded().insight_id(),
          entity(EntityKind::kInsight, event.insight_recorded().engagement_id()));
      break;
    case Event::kDecisionRecorded:
      Put(event.decision_recorded().decision_id(), entity(EntityKind::kDecision));
      break;
    case Event::kEvaluationFormReturned:
      Put(event.evaluation_form_returned().form_id(),
          entity(EntityKind::kEvaluationForm, event.evaluation_form_returned().engagement_id()));
      break;
    case Event::kInformationShared:
      Put(event.information_shared().information_id(),
          entity(EntityKind::kInformationShared, event.information_shared().engagement_id()));
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Entity>> WriteModelReader::Find(absl::string_view id) const {
  absl::StatusOr<std::optional<std::string>> bytes = log_.ReadGuardState(EntityKey(id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  absl::StatusOr<Entity> entity = Decode(id, **bytes);
  if (!entity.ok()) return entity.status();
  return *std::move(entity);
}

absl::StatusOr<std::optional<uint64_t>> WriteModelReader::RegistrationPosition(
    absl::string_view participant_id) const {
  absl::StatusOr<std::optional<std::string>> bytes =
      log_.ReadGuardState(RegistrationKey(participant_id));
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return std::nullopt;
  uint64_t position = 0;
  if (!ledger::log_format::DecodeFixed64BE(**bytes, &position)) {
    return absl::DataLossError("the write model's registration record is malformed");
  }
  return position;
}

}  // namespace domain
