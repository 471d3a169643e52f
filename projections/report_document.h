// ReportDocument: what a report is written as, whatever the format: a title, headings,
// paragraphs, captioned tables and bar charts, in reading order. The reports write themselves
// once (report_html.cc) through this interface; HtmlPage (html_page.h) makes the HTML page and
// PdfDocument (pdf_document.h) the PDF, so the two always say the same.
//
// Text arguments are HTML the caller has escaped (Escape(), Pounds()); a format that is not HTML
// turns it back into text (tags dropped, entities decoded).
#ifndef ENGAGEMENT_PROJECTIONS_REPORT_DOCUMENT_H_
#define ENGAGEMENT_PROJECTIONS_REPORT_DOCUMENT_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace projections {

class ReportDocument {
 public:
  virtual ~ReportDocument() = default;
  // The document's title and its first heading (plain text).
  virtual void Begin(absl::string_view title) = 0;
  // A section heading (plain text).
  virtual void Heading(absl::string_view text) = 0;
  // A paragraph of escaped HTML.
  virtual void Paragraph(absl::string_view html) = 0;
  // A captioned table (caption and header plain text, cells escaped HTML); an empty table says
  // "None.".
  virtual void Table(absl::string_view caption, std::vector<std::string> header,
                     const std::vector<std::vector<std::string>>& rows) = 0;
  // A horizontal bar chart; `bars` are (escaped label, value).
  virtual void Chart(absl::string_view title,
                     const std::vector<std::pair<std::string, double>>& bars,
                     absl::string_view unit) = 0;
  // Closes the document and returns its bytes.
  virtual std::string Finish() = 0;
};

// The plain text of escaped HTML: tags dropped (<br> a newline), the entities the reports
// write (&amp; &lt; &gt; &quot; &#39; &pound; and numeric ones) decoded to UTF-8.
std::string HtmlToText(absl::string_view html);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_REPORT_DOCUMENT_H_
