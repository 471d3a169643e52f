// The Prometheus text exposition format (version 0.0.4), and a histogram to expose in it.
//
// There is no Prometheus client library for C++ in Debian 12, so this is the small part of one
// ledgerd needs: counters and gauges are written at scrape time from what the ledger already
// knows; histograms count observations in fixed buckets with atomics (no lock on the hot path).
// https://prometheus.io/docs/instrumenting/exposition_formats/
#ifndef ENGAGEMENT_SERVICES_METRICS_TEXT_H_
#define ENGAGEMENT_SERVICES_METRICS_TEXT_H_

#include <atomic>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace services {

// Label pairs, e.g. {{"method", "AppendEvents"}}; values are escaped when written.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Builds one exposition. Each family is announced once (HELP and TYPE) before its samples.
class MetricsText {
 public:
  // `type`: "counter", "gauge" or "histogram".
  void Family(absl::string_view name, absl::string_view type, absl::string_view help);
  void Sample(absl::string_view name, const MetricLabels& labels, double value);
  void Sample(absl::string_view name, double value) { Sample(name, {}, value); }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// Counts observations into buckets with fixed upper bounds. Observe() is wait-free.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);
  // Writes NAME_bucket{le=...}, NAME_sum and NAME_count with `labels` (the family must have been
  // announced).
  void WriteTo(MetricsText& out, absl::string_view name, const MetricLabels& labels) const;

  // Bounds for durations in seconds: 100 us to 60 s.
  static std::vector<double> LatencyBounds();
  // Bounds for sizes: 1, 2, 4 ... 4096.
  static std::vector<double> PowersOfTwo(int up_to_exponent);

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1 (the last is +Inf)
  std::atomic<double> sum_{0};
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_METRICS_TEXT_H_
