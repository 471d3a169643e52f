// PdfDocument: a report as an A4 PDF, laid out with Pango and drawn with Cairo (Debian's
// libpango1.0 and libcairo2): the same title, headings, paragraphs, captioned tables (their
// header repeated on each page they run onto) and bar charts as the HTML page, for boards that
// file PDFs. The PDF is tagged (document structure: headings, paragraphs, tables, figures) for
// screen readers, and carries its title and language.
//
// Text is set in the system's sans-serif font (fontconfig: Arial or DejaVu Sans when there is no
// Arial). Single use: Begin(), then the parts, then Finish() once.
#ifndef ENGAGEMENT_PROJECTIONS_PDF_DOCUMENT_H_
#define ENGAGEMENT_PROJECTIONS_PDF_DOCUMENT_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "projections/report_document.h"

namespace projections {

class PdfDocument final : public ReportDocument {
 public:
  PdfDocument();
  ~PdfDocument() override;

  void Begin(absl::string_view title) override;
  void Heading(absl::string_view text) override;
  void Paragraph(absl::string_view html) override;
  void Table(absl::string_view caption, std::vector<std::string> header,
             const std::vector<std::vector<std::string>>& rows) override;
  void Chart(absl::string_view title, const std::vector<std::pair<std::string, double>>& bars,
             absl::string_view unit) override;
  // The PDF's bytes.
  std::string Finish() override;

 private:
  struct Drawing;
  std::unique_ptr<Drawing> drawing_;
};

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_PDF_DOCUMENT_H_
