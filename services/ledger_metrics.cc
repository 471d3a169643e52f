#include "services/ledger_metrics.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"

namespace services {
namespace {

// When the checkpoint was signed: its "timestamp YYYY-MM-DDTHH:MM:SSZ" line (checkpointer.cc).
absl::Time SignedAt(const std::string& note) {
  size_t at = note.find("\ntimestamp ");
  if (at == std::string::npos) return absl::InfinitePast();
  at += 11;
  size_t end = note.find('\n', at);
  absl::Time time;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%SZ", note.substr(at, end - at), &time, &error)) {
    return absl::InfinitePast();
  }
  return time;
}

// RocksDB's counters worth a graph, exposed as rocksdb_<name with dots as underscores>_total.
constexpr rocksdb::Tickers kTickers[] = {
    rocksdb::BYTES_WRITTEN,       rocksdb::BYTES_READ,        rocksdb::WAL_FILE_SYNCED,
    rocksdb::WAL_FILE_BYTES,      rocksdb::STALL_MICROS,      rocksdb::BLOCK_CACHE_HIT,
    rocksdb::BLOCK_CACHE_MISS,    rocksdb::COMPACT_WRITE_BYTES, rocksdb::FLUSH_WRITE_BYTES,
    rocksdb::NUMBER_KEYS_WRITTEN, rocksdb::NUMBER_KEYS_READ};

// Properties summed over the column families, exposed as rocksdb_<name with - as _>.
constexpr const char* kProperties[] = {
    "rocksdb.estimate-live-data-size", "rocksdb.total-sst-files-size",
    "rocksdb.cur-size-all-mem-tables", "rocksdb.estimate-pending-compaction-bytes",
    "rocksdb.num-running-compactions", "rocksdb.num-running-flushes",
    "rocksdb.background-errors",       "rocksdb.estimate-num-keys"};

std::string MetricName(absl::string_view rocksdb_name) {
  return absl::StrReplaceAll(rocksdb_name, {{".", "_"}, {"-", "_"}});
}

}  // namespace

LedgerMetrics::LedgerMetrics(MetricsSources sources)
    : sources_(std::move(sources)),
      group_appends_(Histogram::PowersOfTwo(12)),
      group_events_(Histogram::PowersOfTwo(12)),
      write_seconds_(Histogram::LatencyBounds()) {}

void LedgerMetrics::Committed(const ledger::GroupCommit& group) {
  groups_.fetch_add(1, std::memory_order_relaxed);
  group_appends_.Observe(static_cast<double>(group.appends));
  group_events_.Observe(static_cast<double>(group.events));
  if (group.write > absl::ZeroDuration()) write_seconds_.Observe(absl::ToDoubleSeconds(group.write));
  if (group.not_replicated) not_replicated_groups_.fetch_add(1, std::memory_order_relaxed);
  if (!group.ok) {
    failed_groups_.fetch_add(1, std::memory_order_relaxed);
    if (sources_.health != nullptr) {
      sources_.health->Set("log",
                           "a write to the log failed (disk full, or an I/O error): appends are "
                           "refused, and ledgerd stops to recover from what is on disk at its "
                           "next start; free space or fix the disk");
    }
    if (sources_.on_write_failure && !told_of_failure_.exchange(true)) sources_.on_write_failure();
  }
}

std::string LedgerMetrics::Render() const {
  MetricsText out;
  WriteLog(out);
  if (sources_.rpcs != nullptr) sources_.rpcs->WriteTo(out);
  WriteReadSide(out);
  WriteIntegrity(out);
  WriteRocksDb(out);
  return out.text();
}

void LedgerMetrics::WriteLog(MetricsText& out) const {
  if (sources_.log != nullptr) {
    out.Family("ledger_head_position", "gauge", "position of the last event in the log");
    out.Sample("ledger_head_position", static_cast<double>(sources_.log->Head().position));
    out.Family("ledger_writes_refused", "gauge",
               "1 while the log refuses appends after a failed write (until restart)");
    out.Sample("ledger_writes_refused", sources_.log->WriteError().ok() ? 0 : 1);
  }
  out.Family("ledger_commit_groups_total", "counter", "group commits written");
  out.Sample("ledger_commit_groups_total", static_cast<double>(groups_.load()));
  out.Family("ledger_commit_failures_total", "counter", "group commits whose write failed, or that were refused after one");
  out.Sample("ledger_commit_failures_total", static_cast<double>(failed_groups_.load()));
  out.Family("ledger_commit_not_replicated_total", "counter",
             "replicated ledger: group commits the stream did not take (a leader deposed or the "
             "cluster unreachable); their appends were refused UNAVAILABLE");
  out.Sample("ledger_commit_not_replicated_total",
             static_cast<double>(not_replicated_groups_.load()));
  out.Family("ledger_commit_group_appends", "histogram", "append requests per group commit");
  group_appends_.WriteTo(out, "ledger_commit_group_appends", {});
  out.Family("ledger_commit_group_events", "histogram", "events per group commit");
  group_events_.WriteTo(out, "ledger_commit_group_events", {});
  out.Family("ledger_commit_write_seconds", "histogram",
             "seconds for a group commit's one storage write, including the WAL fsync");
  write_seconds_.WriteTo(out, "ledger_commit_write_seconds", {});
  if (sources_.health != nullptr) {
    out.Family("ledger_serving", "gauge",
               "1 when gRPC health says SERVING; 0 while any problem stands (ledgerctl health)");
    out.Sample("ledger_serving", sources_.health->Serving() ? 1 : 0);
  }
}

void LedgerMetrics::WriteReadSide(MetricsText& out) const {
  const uint64_t head = sources_.log != nullptr ? sources_.log->Head().position : 0;
  if (sources_.subscriptions != nullptr) {
    ledger::SubscriptionStats stats = sources_.subscriptions->Stats();
    out.Family("ledger_subscriptions", "gauge", "open SubscribeLog calls");
    out.Sample("ledger_subscriptions", static_cast<double>(stats.subscriptions));
    out.Family("ledger_subscriptions_limit", "gauge", "the most SubscribeLog calls allowed open");
    out.Sample("ledger_subscriptions_limit",
               static_cast<double>(sources_.subscriptions->max_subscriptions()));
    out.Family("ledger_subscription_lag_events_max", "gauge",
               "events the furthest-behind subscriber has yet to receive");
    out.Sample("ledger_subscription_lag_events_max", static_cast<double>(stats.max_lag));
    out.Family("ledger_subscription_lag_events_sum", "gauge",
               "events all subscribers together have yet to receive");
    out.Sample("ledger_subscription_lag_events_sum", static_cast<double>(stats.total_lag));
    out.Family("ledger_subscriptions_waiting_on_reader", "gauge",
               "subscribers whose client has not yet read what it was sent");
    out.Sample("ledger_subscriptions_waiting_on_reader",
               static_cast<double>(stats.waiting_on_reader));
  }
  if (sources_.projections != nullptr) {
    out.Family("ledger_projection_position", "gauge", "the log position a projection has applied");
    out.Family("ledger_projection_lag_events", "gauge", "events a projection is behind the head");
    out.Family("ledger_projection_stopped", "gauge",
               "1 when a projection stopped on an event (ledgerctl projections)");
    out.Family("ledger_projection_check_failed", "gauge",
               "1 when the last check found the projection differs from the log");
    for (const projections::ProjectionStatus& status : sources_.projections->Statuses()) {
      MetricLabels labels = {{"projection", status.name}};
      out.Sample("ledger_projection_position", labels, static_cast<double>(status.position));
      out.Sample("ledger_projection_lag_events", labels,
                 static_cast<double>(head > status.position ? head - status.position : 0));
      out.Sample("ledger_projection_stopped", labels, status.error.ok() ? 0 : 1);
      out.Sample("ledger_projection_check_failed", labels, status.check.ok() ? 0 : 1);
    }
  }
}

void LedgerMetrics::WriteIntegrity(MetricsText& out) const {
  if (sources_.log != nullptr) {
    absl::StatusOr<std::optional<ledger::StoredCheckpoint>> latest =
        sources_.log->LatestCheckpoint();
    if (latest.ok() && latest->has_value()) {
      out.Family("ledger_checkpoint_tree_size", "gauge", "events the newest checkpoint covers");
      out.Sample("ledger_checkpoint_tree_size", static_cast<double>((*latest)->tree_size));
      absl::Time signed_at = SignedAt((*latest)->note);
      if (signed_at != absl::InfinitePast()) {
        out.Family("ledger_checkpoint_age_seconds", "gauge",
                   "seconds since the newest checkpoint was signed");
        out.Sample("ledger_checkpoint_age_seconds", absl::ToDoubleSeconds(absl::Now() - signed_at));
      }
    }
  }
  if (sources_.witnessing != nullptr) {
    out.Family("ledger_witness_up", "gauge", "1 when the last exchange with the witness went well");
    out.Family("ledger_witness_cosigned_tree_size", "gauge",
               "the largest checkpoint the witness has cosigned for this ledger");
    out.Family("ledger_witness_last_cosigned_seconds", "gauge",
               "seconds since the witness last cosigned (absent: never)");
    for (const WitnessStatus& status : sources_.witnessing->Statuses()) {
      MetricLabels labels = {{"witness", status.name}};
      out.Sample("ledger_witness_up", labels, status.last_error.empty() ? 1 : 0);
      out.Sample("ledger_witness_cosigned_tree_size", labels,
                 static_cast<double>(status.cosigned_size));
      if (status.last_cosigned != absl::InfinitePast()) {
        out.Sample("ledger_witness_last_cosigned_seconds", labels,
                   absl::ToDoubleSeconds(absl::Now() - status.last_cosigned));
      }
    }
  }
}

void LedgerMetrics::WriteRocksDb(MetricsText& out) const {
  if (sources_.rocksdb_statistics != nullptr) {
    for (rocksdb::Tickers ticker : kTickers) {
      for (const auto& [id, name] : rocksdb::TickersNameMap) {
        if (id != ticker) continue;
        std::string metric = absl::StrCat(MetricName(name), "_total");
        out.Family(metric, "counter", absl::StrCat("RocksDB statistic ", name));
        out.Sample(metric, static_cast<double>(sources_.rocksdb_statistics->getTickerCount(ticker)));
      }
    }
  }
  if (sources_.log != nullptr && sources_.log->db() != nullptr) {
    for (const char* property : kProperties) {
      uint64_t value = 0;
      if (!sources_.log->db()->GetAggregatedIntProperty(property, &value)) continue;
      std::string metric = MetricName(property);
      out.Family(metric, "gauge", absl::StrCat("RocksDB property ", property, " (the event log)"));
      out.Sample(metric, static_cast<double>(value));
    }
  }
}

}  // namespace services
