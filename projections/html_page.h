// HtmlPage: how every HTML document of the reports is written. One self-contained page a body
// can attach to its papers: plain English, headings, captioned tables, bar charts as inline SVG,
// print styles; no script and no link to anything outside the file. Callers escape text they put
// in cells (Escape); the page escapes titles and captions itself.
#ifndef ENGAGEMENT_PROJECTIONS_HTML_PAGE_H_
#define ENGAGEMENT_PROJECTIONS_HTML_PAGE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "projections/report_document.h"

namespace projections {

// Escapes &, <, > and " for HTML text and attributes.
std::string Escape(absl::string_view text);
// "£12.50" (as an HTML entity).
std::string Pounds(int64_t pence);
// "3 days", or "2.5 days" for a median between two.
std::string DaysText(double days);

class HtmlPage final : public ReportDocument {
 public:
  // The document's head (title, styles) and its first heading.
  void Begin(absl::string_view title) override;
  void Heading(absl::string_view text) override;
  // A paragraph of HTML the caller has escaped.
  void Paragraph(absl::string_view html) override;
  // A captioned table; cells are HTML the caller has escaped. An empty table says "None.".
  void Table(absl::string_view caption, std::vector<std::string> header,
             const std::vector<std::vector<std::string>>& rows) override;
  // A horizontal bar chart; `bars` are (escaped label, value), values already suppressed.
  void Chart(absl::string_view title, const std::vector<std::pair<std::string, double>>& bars,
             absl::string_view unit) override;
  // Closes the document and returns it.
  std::string Finish() override;

 private:
  std::string html_;
};

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_HTML_PAGE_H_
