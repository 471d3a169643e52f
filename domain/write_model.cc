#include "domain/write_model.h"

#include "absl/strings/str_cat.h"

namespace domain {

absl::string_view EntityKindName(EntityKind kind) {
  switch (kind) {
    case EntityKind::kEngagement: return "engagement";
    case EntityKind::kSession: return "session";
    case EntityKind::kInsight: return "insight";
    case EntityKind::kDecision: return "decision";
    case EntityKind::kParticipant: return "participant";
    case EntityKind::kInvitation: return "invitation";
  }
  return "thing";
}

uint32_t WriteModel::Organisation(absl::string_view ods) {
  auto [it, inserted] =
      organisations_.try_emplace(std::string(ods), static_cast<uint32_t>(organisations_.size()));
  return it->second;
}

const Entity* WriteModel::Find(absl::string_view id, const Overlay* overlay) const {
  if (overlay != nullptr) {
    auto it = overlay->entities.find(id);
    if (it != overlay->entities.end()) return &it->second;
  }
  auto it = entities_.find(id);
  return it == entities_.end() ? nullptr : &it->second;
}

std::optional<uint32_t> WriteModel::EventOrganisation(absl::string_view event_id,
                                                      const Overlay* overlay) const {
  if (overlay != nullptr) {
    auto it = overlay->events.find(event_id);
    if (it != overlay->events.end()) return it->second;
  }
  auto it = events_.find(event_id);
  if (it == events_.end()) return std::nullopt;
  return it->second;
}

bool WriteModel::Involved(absl::string_view participant_id, absl::string_view engagement_id,
                          const Overlay* overlay) const {
  std::string key = absl::StrCat(participant_id, engagement_id);
  return involvement_.contains(key) || (overlay != nullptr && overlay->involvement.contains(key));
}

void WriteModel::Put(Overlay* overlay, const std::string& id, Entity entity) {
  if (overlay != nullptr) {
    overlay->entities[id] = std::move(entity);
  } else {
    entities_[id] = std::move(entity);
  }
}

void WriteModel::Involve(Overlay* overlay, absl::string_view participant_id,
                         absl::string_view engagement_id) {
  std::string key = absl::StrCat(participant_id, engagement_id);
  if (overlay != nullptr) {
    overlay->involvement.insert(std::move(key));
  } else {
    involvement_.insert(std::move(key));
  }
}

void WriteModel::Apply(const engagement::v1::Event& event, Overlay* overlay) {
  uint32_t org = Organisation(event.organisation());
  if (overlay != nullptr) {
    overlay->events[event.event_id()] = org;
  } else {
    events_[event.event_id()] = org;
  }
  auto entity = [&](EntityKind kind, const std::string& engagement_id = "") {
    Entity e;
    e.kind = kind;
    e.organisation = org;
    e.engagement_id = engagement_id;
    return e;
  };
  switch (event.payload_case()) {
    case engagement::v1::Event::kEngagementOpened:
      Put(overlay, event.engagement_opened().engagement_id(), entity(EntityKind::kEngagement));
      break;
    case engagement::v1::Event::kEngagementClosed: {
      const Entity* found = Find(event.engagement_closed().engagement_id(), overlay);
      if (found != nullptr) {
        Entity closed = *found;
        closed.closed = true;
        Put(overlay, event.engagement_closed().engagement_id(), std::move(closed));
      }
      break;
    }
    case engagement::v1::Event::kParticipantRegistered:
      Put(overlay, event.participant_registered().participant_id(),
          entity(EntityKind::kParticipant));
      break;
    case engagement::v1::Event::kConsentWithdrawn: {
      const Entity* found = Find(event.consent_withdrawn().participant_id(), overlay);
      if (found != nullptr) {
        Entity withdrawn = *found;
        withdrawn.consent_withdrawn = true;
        Put(overlay, event.consent_withdrawn().participant_id(), std::move(withdrawn));
      }
      break;
    }
    case engagement::v1::Event::kSessionHeld: {
      const auto& session = event.session_held();
      Put(overlay, session.session_id(), entity(EntityKind::kSession, session.engagement_id()));
      for (const std::string& participant : session.attendee_participant_ids()) {
        Involve(overlay, participant, session.engagement_id());
      }
      break;
    }
    case engagement::v1::Event::kInvitationSent: {
      const auto& invitation = event.invitation_sent();
      Put(overlay, invitation.invitation_id(),
          entity(EntityKind::kInvitation, invitation.engagement_id()));
      if (!invitation.participant_id().empty()) {
        Involve(overlay, invitation.participant_id(), invitation.engagement_id());
      }
      break;
    }
    case engagement::v1::Event::kInsightRecorded:
      Put(overlay, event.insight_recorded().insight_id(),
          entity(EntityKind::kInsight, event.insight_recorded().engagement_id()));
      break;
    case engagement::v1::Event::kDecisionRecorded:
      Put(overlay, event.decision_recorded().decision_id(), entity(EntityKind::kDecision));
      break;
    default:
      break;
  }
}

void WriteModel::Merge(Overlay&& overlay) {
  for (auto& [id, entity] : overlay.entities) entities_[id] = std::move(entity);
  for (auto& [id, org] : overlay.events) events_[id] = org;
  for (auto& key : overlay.involvement) involvement_.insert(key);
  overlay.Clear();
}

}  // namespace domain
