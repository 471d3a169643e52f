// The assurance report as CSV (one table per section), as one self-contained, printable HTML
// page (headings, captioned tables, inline SVG charts; no script, nothing fetched), and as the
// same document in PDF. JSON is the
// report message itself, printed by protobuf's JSON mapping.
#ifndef ENGAGEMENT_PROJECTIONS_REPORT_EXPORT_H_
#define ENGAGEMENT_PROJECTIONS_REPORT_EXPORT_H_

#include <string>

#include "engagement/v1/reports.pb.h"
#include "projections/report_document.h"

namespace projections {

std::string AssuranceReportCsv(const engagement::v1::AssuranceReport& report);
std::string AssuranceReportHtml(const engagement::v1::AssuranceReport& report);
// The same document as the HTML page, as an A4 PDF (pdf_document.h; in the report_pdf library,
// which alone needs Pango and Cairo).
std::string AssuranceReportPdf(const engagement::v1::AssuranceReport& report);
// Writes the report into any document (report_document.h): what the two above share.
void WriteAssuranceReport(const engagement::v1::AssuranceReport& report, ReportDocument& document);

// "You said, we did" as one printable page to send to participants or a committee.
std::string YouSaidWeDidHtml(const engagement::v1::GetYouSaidWeDidResponse& page);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_REPORT_EXPORT_H_
