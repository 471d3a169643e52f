// The assurance report as PDF: the HTML page's document (report_html.cc), drawn by PdfDocument.
#include "projections/pdf_document.h"
#include "projections/report_export.h"

namespace projections {

std::string AssuranceReportPdf(const engagement::v1::AssuranceReport& report) {
  PdfDocument document;
  WriteAssuranceReport(report, document);
  return document.Finish();
}

}  // namespace projections
