// WriteModel: what the engagement rules need to know about the log so far.
//
// It holds one small record per thing the events name (engagement, session, insight, decision,
// participant, invitation) and the organisation of every event id, enough to answer "does it
// exist, in which organisation and engagement, is it closed". No personal data is kept.
//
// Lookups go through an optional Overlay: the things an append in progress would add, so that
// later events of a batch can refer to earlier ones before anything is committed.
// Thread safety: none; the ledger calls its append guard from one thread.
#ifndef ENGAGEMENT_DOMAIN_WRITE_MODEL_H_
#define ENGAGEMENT_DOMAIN_WRITE_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "engagement/v1/event.pb.h"

namespace domain {

enum class EntityKind : uint8_t {
  kEngagement,
  kSession,
  kInsight,
  kDecision,
  kParticipant,
  kInvitation,
};

absl::string_view EntityKindName(EntityKind kind);

struct Entity {
  EntityKind kind = EntityKind::kEngagement;
  uint32_t organisation = 0;   // interned ODS code
  std::string engagement_id;   // sessions, insights, invitations
  bool closed = false;         // engagements
  bool consent_withdrawn = false;  // participants
};

class WriteModel {
 public:
  // Changes an append would make, looked up before the model itself.
  struct Overlay {
    absl::flat_hash_map<std::string, Entity> entities;
    absl::flat_hash_map<std::string, uint32_t> events;
    absl::flat_hash_set<std::string> involvement;
    void Clear() {
      entities.clear();
      events.clear();
      involvement.clear();
    }
  };

  // The interned number of an ODS code (stable for the life of the model).
  uint32_t Organisation(absl::string_view ods);

  // Lookups see `overlay` first, then the model.
  const Entity* Find(absl::string_view id, const Overlay* overlay) const;
  std::optional<uint32_t> EventOrganisation(absl::string_view event_id,
                                            const Overlay* overlay) const;
  // Whether the participant attended a session of, or was invited to, the engagement.
  bool Involved(absl::string_view participant_id, absl::string_view engagement_id,
                const Overlay* overlay) const;

  // Records what `event` adds or changes, into `overlay` (or the model when null).
  void Apply(const engagement::v1::Event& event, Overlay* overlay);
  // Moves everything in `overlay` into the model.
  void Merge(Overlay&& overlay);

  size_t entity_count() const { return entities_.size(); }
  size_t event_count() const { return events_.size(); }

 private:
  void Put(Overlay* overlay, const std::string& id, Entity entity);
  void Involve(Overlay* overlay, absl::string_view participant_id,
               absl::string_view engagement_id);

  absl::flat_hash_map<std::string, uint32_t> organisations_;
  absl::flat_hash_map<std::string, Entity> entities_;
  absl::flat_hash_map<std::string, uint32_t> events_;  // event id -> organisation
  absl::flat_hash_set<std::string> involvement_;       // participant id + engagement id
};

}  // namespace domain

#endif  // ENGAGEMENT_DOMAIN_WRITE_MODEL_H_
