// LedgerServer on a replicated ledger: the node's replica, the forwarding of appends, and the
// EventLog the services use (docs/replication.md).
#include "absl/strings/str_cat.h"
#include "services/ledger_server.h"
#include "services/logging.h"

namespace services {

absl::Status LedgerServer::StartReplication(const ledger::JetStreamOptions& options) {
  ledger::JetStreamOptions with_logging = options;
  with_logging.log_info = [](absl::string_view message) {
    LogInfo(absl::StrCat("replication: ", message));
  };
  absl::StatusOr<std::unique_ptr<ledger::JetStreamReplica>> replica =
      ledger::JetStreamReplica::Start(with_logging, log_.get());
  if (!replica.ok()) return replica.status();
  replica_ = *std::move(replica);
  // Participants' data keys: made on one node, usable on all; erased on one, forgotten by all.
  absl::StatusOr<std::unique_ptr<ledger::JetStreamKeyDirectory>> shared_keys =
      ledger::JetStreamKeyDirectory::Start(replica_.get(), keys_.get());
  if (!shared_keys.ok()) return shared_keys.status();
  shared_keys_ = *std::move(shared_keys);
  absl::StatusOr<std::unique_ptr<ledger::AppendForwarding>> forwarding =
      ledger::AppendForwarding::Start(replica_.get(), log_.get());
  if (!forwarding.ok()) return forwarding.status();
  forwarding_ = *std::move(forwarding);
  replicated_log_ = std::make_unique<ledger::ReplicatedEventLog>(log_.get(), replica_.get(),
                                                                 forwarding_.get());
  // Serve once this node has what the stream had when it started, so that a node that was away
  // does not answer from a stale copy; a long catch-up is logged and goes on in the background.
  absl::Status caught_up = replica_->WaitUntilCaughtUp(absl::Seconds(30));
  LogInfo(absl::StrCat("replication: node ", options.node_id, " on stream ", options.stream,
                       caught_up.ok() ? ", caught up" : absl::StrCat(", ", caught_up.message()),
                       ", log head at position ", log_->Head().position));
  return absl::OkStatus();
}

}  // namespace services
