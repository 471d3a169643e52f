// Traceability (from an insight forwards, from a decision backwards) and "you said, we did",
// computed from the evidence projection. Provenance is left to the caller.
#ifndef ENGAGEMENT_PROJECTIONS_TRACE_REPORTS_H_
#define ENGAGEMENT_PROJECTIONS_TRACE_REPORTS_H_

#include "absl/status/statusor.h"
#include "engagement/v1/reports.pb.h"
#include "projections/state_store.h"

namespace projections {

// NOT_FOUND when the insight does not exist (or was retracted) in the organisation.
absl::StatusOr<engagement::v1::GetTraceabilityResponse> TraceInsight(const StateReader& evidence,
                                                                     absl::string_view org,
                                                                     absl::string_view insight_id,
                                                                     bool exact);
// NOT_FOUND when the decision does not exist (or was retracted) in the organisation.
absl::StatusOr<engagement::v1::GetTraceabilityResponse> TraceDecision(const StateReader& evidence,
                                                                      absl::string_view org,
                                                                      absl::string_view decision_id,
                                                                      bool exact);
// NOT_FOUND when the engagement does not exist in the organisation.
absl::StatusOr<engagement::v1::GetYouSaidWeDidResponse> BuildYouSaidWeDid(
    const StateReader& evidence, absl::string_view org, absl::string_view engagement_id);
// Across every engagement of the organisation, for a period ("YYYY-MM-DD", UK days): what people
// said that was decided on or considered in the period, and, when no body is named, also what was
// heard in it. With `body` (a deciding body's name as recorded), only that body's decisions and
// considerations: a six-monthly "you said, we did" to a committee (seed 003).
absl::StatusOr<engagement::v1::GetYouSaidWeDidResponse> BuildYouSaidWeDidForPeriod(
    const StateReader& evidence, absl::string_view org, absl::string_view period_start,
    absl::string_view period_end, absl::string_view body);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_TRACE_REPORTS_H_
