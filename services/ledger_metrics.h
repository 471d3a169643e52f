// LedgerMetrics: what an operator watches, as one Prometheus text page (metrics_text.h).
//
// It observes the log's group commits (sizes, and the write with its fsync), and at scrape time
// reads what the server's parts already know: the head, subscriptions and their lag, each
// projection's position and lag, the newest checkpoint's age, the witnesses, health, and RocksDB's
// own counters and properties. Nothing on the page is personal data: only counts, positions,
// durations, and the names of methods, projections and witnesses.
//
// It also keeps health truthful about writes: a group that fails to be written (a failed fsync)
// leaves the log refusing appends until restart, so it sets the "log" problem in `health`, which
// turns the gRPC health service NOT_SERVING.
//
// Ownership: nothing is owned; every source must outlive this object (nullptr sources are
// skipped). Committed() runs on the log's commit thread; Render() on any thread.
#ifndef ENGAGEMENT_SERVICES_LEDGER_METRICS_H_
#define ENGAGEMENT_SERVICES_LEDGER_METRICS_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "ledger/commit_observer.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/subscription_hub.h"
#include "projections/projection_runner.h"
#include "rocksdb/statistics.h"
#include "services/checkpoint_witnessing.h"
#include "services/metrics_text.h"
#include "services/rpc_metrics.h"
#include "services/serving_health.h"

namespace services {

struct MetricsSources {
  ledger::RocksDbEventLog* log = nullptr;
  std::shared_ptr<rocksdb::Statistics> rocksdb_statistics;  // may be null
  const ledger::SubscriptionHub* subscriptions = nullptr;
  projections::ProjectionRunner* projections = nullptr;
  const CheckpointWitnessing* witnessing = nullptr;
  ServingHealth* health = nullptr;
  const RpcMetrics* rpcs = nullptr;
  // Called once, on the commit thread, after the first group that failed to be written.
  std::function<void()> on_write_failure;
};

class LedgerMetrics final : public ledger::CommitObserver {
 public:
  explicit LedgerMetrics(MetricsSources sources);

  void Committed(const ledger::GroupCommit& group) override;
  // The whole page, in the Prometheus text format.
  std::string Render() const;

 private:
  void WriteLog(MetricsText& out) const;
  void WriteReadSide(MetricsText& out) const;
  void WriteIntegrity(MetricsText& out) const;
  void WriteRocksDb(MetricsText& out) const;

  const MetricsSources sources_;
  Histogram group_appends_;
  Histogram group_events_;
  Histogram write_seconds_;
  std::atomic<uint64_t> groups_{0};
  std::atomic<uint64_t> failed_groups_{0};
  std::atomic<uint64_t> not_replicated_groups_{0};
  std::atomic<bool> told_of_failure_{false};
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_LEDGER_METRICS_H_
