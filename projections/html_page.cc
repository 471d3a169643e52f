#include "projections/html_page.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace projections {

std::string Escape(absl::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Pounds(int64_t pence) {
  return absl::StrFormat("&pound;%d.%02d", pence / 100, pence % 100);
}

std::string DaysText(double days) {
  return days == static_cast<int64_t>(days) ? absl::StrFormat("%d days", static_cast<int64_t>(days))
                                            : absl::StrFormat("%.1f days", days);
}

void HtmlPage::Begin(absl::string_view title) {
  html_ = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta "
      "charset=\"utf-8\">\n<title>",
      Escape(title), "</title>\n<style>\n",
      "body{font-family:Arial,Helvetica,sans-serif;color:#212b32;max-width:"
      "50em;margin:2em auto;"
      "line-height:1.4}\nh1{font-size:1.6em}h2{font-size:1.25em;border-bottom:"
      "2px solid #005eb8;"
      "margin-top:1.6em}\ntable{border-collapse:collapse;width:100%;margin:1em "
      "0}\ncaption{"
      "text-align:left;font-weight:bold;padding:.3em 0}\nth,td{border:1px "
      "solid #aeb7bd;"
      "padding:.3em "
      ".5em;text-align:left;vertical-align:top}\nth{background:#f0f4f5}\n"
      "figure{margin:1em "
      "0}figcaption{font-size:.9em;color:#4c6272}\n.note{font-size:.9em;"
      "color:#4c6272}\n@media "
      "print{body{margin:0;max-width:none}h2{break-after:avoid}"
      "table,figure{break-inside:avoid}}\n</style></head><body>\n<h1>",
      Escape(title), "</h1>\n");
}

void HtmlPage::Heading(absl::string_view text) {
  absl::StrAppend(&html_, "<h2>", Escape(text), "</h2>\n");
}

void HtmlPage::Paragraph(absl::string_view html) { absl::StrAppend(&html_, "<p>", html, "</p>\n"); }

void HtmlPage::Table(absl::string_view caption, std::vector<std::string> header,
                     const std::vector<std::vector<std::string>> &rows) {
  absl::StrAppend(&html_, "<table><caption>", Escape(caption), "</caption><thead><tr>");
  for (const auto &h : header) absl::StrAppend(&html_, "<th scope=\"col\">", Escape(h), "</th>");
  absl::StrAppend(&html_, "</tr></thead><tbody>\n");
  if (rows.empty()) {
    absl::StrAppend(&html_, "<tr><td colspan=\"", header.size(), "\">None.</td></tr>\n");
  }
  for (const auto &row : rows) {
    absl::StrAppend(&html_, "<tr>");
    for (const auto &cell : row) absl::StrAppend(&html_, "<td>", cell, "</td>");
    absl::StrAppend(&html_, "</tr>\n");
  }
  absl::StrAppend(&html_, "</tbody></table>\n");
}

void HtmlPage::Chart(absl::string_view title,
                     const std::vector<std::pair<std::string, double>> &bars,
                     absl::string_view unit) {
  if (bars.empty()) return;
  double most = 0;
  for (const auto &[label, value] : bars) most = std::max(most, value);
  const int row = 26, label_width = 230, bar_width = 360;
  int height = static_cast<int>(bars.size()) * row + 10;
  absl::StrAppend(&html_, "<figure><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" ",
                  "width=\"640\" height=\"", height, "\" viewBox=\"0 0 640 ", height,
                  "\" aria-label=\"", Escape(title), "\">\n");
  for (size_t i = 0; i < bars.size(); ++i) {
    int y = static_cast<int>(i) * row + 5;
    int w = most > 0 ? static_cast<int>(bar_width * bars[i].second / most) : 0;
    absl::StrAppend(&html_, "<text x=\"", label_width - 6, "\" y=\"", y + 16,
                    "\" text-anchor=\"end\" font-size=\"13\">", bars[i].first, "</text>",
                    "<rect x=\"", label_width, "\" y=\"", y, "\" width=\"", w,
                    "\" height=\"20\" fill=\"#005eb8\"/>", "<text x=\"", label_width + w + 6,
                    "\" y=\"", y + 16, "\" font-size=\"13\">",
                    absl::StrFormat("%g", bars[i].second), Escape(unit), "</text>\n");
  }
  absl::StrAppend(&html_, "</svg><figcaption>", Escape(title), "</figcaption></figure>\n");
}

std::string HtmlPage::Finish() {
  absl::StrAppend(&html_, "</body></html>\n");
  return std::move(html_);
}

}  // namespace projections
