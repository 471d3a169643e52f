// How ledgerd takes up its checkpoints at start: the signing key, the log checked since the
// newest checkpoint, the witnesses asked what they have cosigned, then the head signed.
//
// The signing key: in local mode DATA_DIR/checkpoint.key unless --checkpoint_key says otherwise
// (created on first start). Otherwise --checkpoint_key is required, must exist and must not be
// inside the data directory: whoever holds the disk should not also hold the key that makes a
// rewritten history look signed.
#ifndef ENGAGEMENT_SERVICES_CHECKPOINT_START_H_
#define ENGAGEMENT_SERVICES_CHECKPOINT_START_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ledger/checkpointer.h"
#include "ledger/rocksdb_event_log.h"
#include "services/checkpoint_witnessing.h"
#include "services/ledger_server.h"
#include "services/serving_health.h"

namespace services {

struct CheckpointStart {
  std::unique_ptr<ledger::Checkpointer> checkpointer;
  std::unique_ptr<CheckpointWitnessing> witnessing;  // null without witnesses
  std::string key_file;
  uint64_t verified = 0;  // events re-hashed since the newest checkpoint
};

// FAILED_PRECONDITION, saying what to do, when the key is missing or misplaced, or a witness has
// cosigned a larger tree or another history than the newest checkpoint stored here (then nothing
// is signed). `log` and `health` must outlive the result.
absl::StatusOr<CheckpointStart> StartCheckpoints(const ServerOptions& options,
                                                 ledger::RocksDbEventLog* log,
                                                 ServingHealth* health);

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_CHECKPOINT_START_H_
