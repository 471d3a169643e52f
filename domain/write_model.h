// WriteModel: what the engagement rules need to know about the log so far, kept in the ledger's
// append-guard state (ledger/append_guard.h) and read by key, never loaded whole.
//
// One small record per thing the events name (engagement, session, insight, decision,
// participant, invitation), enough to answer "does it exist, in which organisation and
// engagement, is it closed, has the person withdrawn consent", and one marker per person involved
// in an engagement. No personal data is kept: ids, kinds, ODS codes and flags only.
//
// Stored format (keys and values are bytes of the guard's state):
//   "e" || id                         -> kind (1 byte) || flags (1 byte: bit 0 closed,
//                                        bit 1 consent withdrawn, bit 2 personal data erased)
//                                        || ODS length (1 byte) ||
//                                        ODS code || engagement id (sessions, insights,
//                                        invitations; else empty)
//   "i" || participant id || "/" || engagement id -> empty: the person was invited to, or
//                                        attended a session of, the engagement
//   "r" || participant id             -> the position of the participant's registration,
//                                        8-byte big-endian
// A change to this format changes kStateVersion, so the ledger rebuilds the state once.
//
// Lifetime: borrows the GuardState it is given for one guard call.
#ifndef ENGAGEMENT_DOMAIN_WRITE_MODEL_H_
#define ENGAGEMENT_DOMAIN_WRITE_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "engagement/v1/event.pb.h"
#include "ledger/append_guard.h"
#include "ledger/event_log.h"

namespace domain {

enum class EntityKind : uint8_t {
  kEngagement = 1,
  kSession = 2,
  kInsight = 3,
  kDecision = 4,
  kParticipant = 5,
  kInvitation = 6,
  kEvaluationForm = 7,
  kInformationShared = 8,
};

absl::string_view EntityKindName(EntityKind kind);

struct Entity {
  EntityKind kind = EntityKind::kEngagement;
  std::string organisation;        // ODS code
  std::string engagement_id;       // sessions, insights, invitations
  bool closed = false;             // engagements
  bool consent_withdrawn = false;  // participants
  bool erased = false;             // participants whose personal data was erased
};

class WriteModel {
 public:
  // Names the stored format above (the guard's StateVersion).
  static constexpr char kStateVersion[] = "engagement-write-model/2";

  explicit WriteModel(ledger::GuardState& state) : state_(state) {}

  // The thing with `id`, or nullopt.
  absl::StatusOr<std::optional<Entity>> Find(absl::string_view id);
  // Whether the participant attended a session of, or was invited to, the engagement.
  absl::StatusOr<bool> Involved(absl::string_view participant_id, absl::string_view engagement_id);

  // Records what `event` adds or changes.
  absl::Status Apply(const engagement::v1::Event& event);

 private:
  void Put(absl::string_view id, const Entity& entity);
  // Sets a flag of an existing thing (nothing when it does not exist).
  absl::Status Mark(absl::string_view id, bool Entity::*flag);
  void Involve(absl::string_view participant_id, absl::string_view engagement_id);

  ledger::GuardState& state_;
};

// A read-only view of the write model as the log has committed it, for services that must know
// who a participant is (their organisation, whether they were erased) outside the append order.
// Not owned: `log` must outlive the reader.
class WriteModelReader {
 public:
  explicit WriteModelReader(const ledger::EventLog& log) : log_(log) {}
  absl::StatusOr<std::optional<Entity>> Find(absl::string_view id) const;
  // The log position of the participant's registration, or nullopt.
  absl::StatusOr<std::optional<uint64_t>> RegistrationPosition(absl::string_view participant_id) const;

 private:
  const ledger::EventLog& log_;
};

}  // namespace domain

#endif  // ENGAGEMENT_DOMAIN_WRITE_MODEL_H_
