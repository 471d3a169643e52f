// The facilitator's summary of one session (seed 000: "a summary report shared with the group
// before the next session"): what was heard, how many took part, what happens next, and what
// the participants' evaluation forms said. Computed from the evidence projection; provenance is
// left to the caller. Counts of people are suppressed unless exact figures are asked for.
#ifndef ENGAGEMENT_PROJECTIONS_SESSION_SUMMARY_H_
#define ENGAGEMENT_PROJECTIONS_SESSION_SUMMARY_H_

#include <string>

#include "absl/status/statusor.h"
#include "engagement/v1/report_documents.pb.h"
#include "projections/state_store.h"

namespace projections {

// NOT_FOUND when the session does not exist (or was retracted) in the organisation.
absl::StatusOr<engagement::v1::SessionSummary> BuildSessionSummary(const StateReader& evidence,
                                                                   absl::string_view org,
                                                                   absl::string_view session_id,
                                                                   bool exact);

// The summary as one printable HTML page, and as CSV (one table per section).
std::string SessionSummaryHtml(const engagement::v1::SessionSummary& summary,
                               const engagement::v1::Provenance& provenance);
std::string SessionSummaryCsv(const engagement::v1::SessionSummary& summary);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_SESSION_SUMMARY_H_
