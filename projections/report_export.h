// The assurance report as CSV (one table per section) and as one self-contained, printable HTML
// page (headings, captioned tables, inline SVG charts; no script, nothing fetched). JSON is the
// report message itself, printed by protobuf's JSON mapping.
#ifndef ENGAGEMENT_PROJECTIONS_REPORT_EXPORT_H_
#define ENGAGEMENT_PROJECTIONS_REPORT_EXPORT_H_

#include <string>

#include "engagement/v1/reports.pb.h"

namespace projections {

std::string AssuranceReportCsv(const engagement::v1::AssuranceReport& report);
std::string AssuranceReportHtml(const engagement::v1::AssuranceReport& report);

// "You said, we did" as one printable page to send to participants or a committee.
std::string YouSaidWeDidHtml(const engagement::v1::GetYouSaidWeDidResponse& page);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_REPORT_EXPORT_H_
