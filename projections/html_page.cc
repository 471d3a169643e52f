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

namespace {

void AppendUtf8(uint32_t code, std::string* out) {
  if (code < 0x80) {
    *out += static_cast<char>(code);
  } else if (code < 0x800) {
    *out += static_cast<char>(0xC0 | (code >> 6));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    *out += static_cast<char>(0xE0 | (code >> 12));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x110000) {
    *out += static_cast<char>(0xF0 | (code >> 18));
    *out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
    *out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
    *out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

}  // namespace

std::string HtmlToText(absl::string_view html) {
  std::string text;
  for (size_t i = 0; i < html.size(); ++i) {
    const char c = html[i];
    if (c == '<') {
      size_t end = html.find('>', i);
      if (end == absl::string_view::npos) break;
      absl::string_view tag = html.substr(i + 1, end - i - 1);
      if (tag == "br" || tag == "br/" || tag == "br /") text += '\n';
      i = end;
      continue;
    }
    if (c == '&') {
      size_t end = html.find(';', i);
      if (end != absl::string_view::npos && end - i <= 10) {
        absl::string_view name = html.substr(i + 1, end - i - 1);
        static const std::pair<absl::string_view, uint32_t> kNamed[] = {
            {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''},
            {"pound", 0xA3}, {"nbsp", ' '}};
        uint32_t code = 0;
        for (const auto& [known, value] : kNamed) {
          if (name == known) code = value;
        }
        if (code == 0 && name.size() > 1 && name[0] == '#') {
          for (char digit : name.substr(1)) {
            if (digit < '0' || digit > '9' || code > 0x10FFFF) {
              code = 0;
              break;
            }
            code = code * 10 + static_cast<uint32_t>(digit - '0');
          }
        }
        if (code != 0) {
          AppendUtf8(code, &text);
          i = end;
          continue;
        }
      }
    }
    text += c;
  }
  return text;
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
