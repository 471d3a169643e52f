// The assurance report: the figures a governing body is given, computed from the evidence
// projection. Each figure's definition is in docs/reports.md and next to its computation.
#ifndef ENGAGEMENT_PROJECTIONS_ASSURANCE_REPORT_H_
#define ENGAGEMENT_PROJECTIONS_ASSURANCE_REPORT_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "engagement/v1/reports.pb.h"
#include "projections/state_store.h"

namespace projections {

inline constexpr uint32_t kReportVersion = 2;

struct AssuranceQuery {
  std::string organisation;
  std::string period_start;  // "YYYY-MM-DD"
  std::string period_end;    // "YYYY-MM-DD", inclusive
  bool exact_figures = false;
  uint32_t open_loop_days = 90;
  uint32_t minimum_consultation_days = 84;
  double core20_population_percent = 0;
  // Population shares in percent by group name (GroupReach.group), when configured.
  std::map<std::string, double> population_share_percent;
};

// Parses "YYYY-MM-DD" (UTC midnight) into Unix seconds. INVALID_ARGUMENT naming `field`.
absl::StatusOr<int64_t> ParseDay(absl::string_view text, absl::string_view field);
// Unix seconds as "YYYY-MM-DD" (UTC).
std::string FormatDay(int64_t seconds);

// Builds the report from the evidence projection's state (provenance is left to the caller).
absl::StatusOr<engagement::v1::AssuranceReport> BuildAssuranceReport(const StateReader& evidence,
                                                                     const AssuranceQuery& query);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_ASSURANCE_REPORT_H_
