// The annual report's section on the duty to involve (NHS Act 2006 s.14Z58 requires an ICB's
// annual report to explain how it discharged the duty in s.14Z45): a draft text whose every
// figure comes from the ledger, the evidence mapped onto the ten principles of NHS England's 2022
// statutory guidance "Working in partnership with people and communities" and onto the five
// assessment domains, and the year's case studies. Built on the year's assurance report, with
// the same suppression rules; provenance is left to the caller.
#ifndef ENGAGEMENT_PROJECTIONS_ANNUAL_REPORT_H_
#define ENGAGEMENT_PROJECTIONS_ANNUAL_REPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "engagement/v1/report_documents.pb.h"
#include "projections/assurance_report.h"
#include "projections/state_store.h"

namespace projections {

absl::StatusOr<engagement::v1::AnnualReport> BuildAnnualReport(const StateReader& evidence,
                                                               const AssuranceQuery& query);

// The section as one printable HTML page, and as CSV (one table per section).
std::string AnnualReportHtml(const engagement::v1::AnnualReport& report);
std::string AnnualReportCsv(const engagement::v1::AnnualReport& report);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_ANNUAL_REPORT_H_
