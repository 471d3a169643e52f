// CheckpointWitnessing: gives each new checkpoint, with its consistency proof, to the witnesses
// configured for ledgerd (C2SP tlog-witness add-checkpoint; witness_client.h) and keeps their
// cosignatures beside it (CheckpointStore::AddCosignatures), so that the history the ledger signs
// cannot be quietly replaced by whoever holds its disk and its key: the witnesses remember what
// they cosigned.
//
// A witness that answers 409 with a size of its own is told again from that size (the protocol's
// normal catch-up). A witness that has cosigned a larger tree than the checkpoint (409 with a
// larger size), another tree of the same size (409 otherwise), or says the checkpoint is not
// consistent with what it cosigned (422) has seen another history: Witness returns ABORTED, which
// halts the Checkpointer, and the health (serving_health.h) turns NOT_SERVING under the source
// "witness <name>", saying why. A witness that cannot be reached or refuses (403, 404, 400, 5xx)
// is reported in Statuses() and by ledgerctl health, and signing goes on.
//
// Before anything new is signed at start, CheckAtStart sends the newest stored checkpoint (or one
// of the empty tree) to each witness; ledgerd refuses to start when a witness has cosigned more.
//
// Thread safety: Witness is called by the Checkpointer one checkpoint at a time; Statuses may be
// called concurrently. The log, the store and the health must outlive this object.
#ifndef ENGAGEMENT_SERVICES_CHECKPOINT_WITNESSING_H_
#define ENGAGEMENT_SERVICES_CHECKPOINT_WITNESSING_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ledger/checkpoint_store.h"
#include "ledger/cosignature.h"
#include "ledger/event_log.h"
#include "services/serving_health.h"
#include "services/witness_client.h"

namespace services {

struct WitnessStatus {
  std::string name;
  std::string url;
  uint64_t cosigned_size = 0;  // the largest checkpoint it cosigned for us (0: none yet)
  absl::Time last_cosigned = absl::InfinitePast();
  std::string last_error;  // empty when the last exchange went well
};

class CheckpointWitnessing {
 public:
  static absl::StatusOr<std::unique_ptr<CheckpointWitnessing>> Create(
      const std::vector<WitnessEndpoint>& witnesses, const std::string& ca_file,
      const ledger::EventLog* log, ledger::CheckpointStore* store, ServingHealth* health,
      absl::Duration timeout = absl::Seconds(10));

  // `probe` is the newest stored checkpoint (`stored`), or a signed checkpoint of the empty tree
  // when none is stored. FAILED_PRECONDITION, saying what to do, when a witness has cosigned a
  // larger tree or another history than the probe's.
  absl::Status CheckAtStart(const ledger::StoredCheckpoint& probe, bool stored);

  // Pushes `checkpoint` to every witness (Checkpointer::Witnessing).
  absl::Status Witness(const ledger::StoredCheckpoint& checkpoint);

  std::vector<WitnessStatus> Statuses() const;

  ~CheckpointWitnessing();

 private:
  struct Peer;
  struct Outcome;
  CheckpointWitnessing() = default;
  Outcome Push(Peer& peer, const ledger::StoredCheckpoint& checkpoint);

  const ledger::EventLog* log_ = nullptr;
  ledger::CheckpointStore* store_ = nullptr;
  ServingHealth* health_ = nullptr;
  std::vector<std::unique_ptr<Peer>> peers_;
  mutable absl::Mutex status_mu_;
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_CHECKPOINT_WITNESSING_H_
