// Page: the console's HTML in NHS.UK frontend's markup (the NHS design system): the frame of
// every page (skip link, header with the service name, who is signed in and the menu, main,
// footer) and the components the pages are made of. Every text is escaped here; callers pass
// plain text unless a parameter says "html".
//
// Pages work without JavaScript: there is none. Forms are plain HTML forms that post back.
#ifndef ENGAGEMENT_WEB_PAGE_H_
#define ENGAGEMENT_WEB_PAGE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "projections/html_page.h"

namespace web {

// Escapes &, <, > and " (the reports' own escaping).
using projections::Escape;

// What the frame shows of the person.
struct Viewer {
  std::string identity;  // empty: signed out
  std::string csrf;      // the session's form token
  bool may_record = false;
  bool may_audit = false;
  bool may_read_reports = false;
};

// A whole page. `title` is the page's <title> and its <h1>; `main_html` follows the heading.
std::string RenderPage(const Viewer& viewer, absl::string_view title, absl::string_view main_html);

// A form field's problem, if any, and the value to show again.
struct FieldState {
  std::string value;
  std::string error;  // plain words; empty: none
};

// Components (NHS.UK frontend), returning HTML.
std::string ErrorSummary(const std::vector<std::pair<std::string, std::string>>& field_errors);
std::string TextInput(absl::string_view id, absl::string_view label, absl::string_view hint,
                      const FieldState& state, absl::string_view type = "text",
                      absl::string_view width_class = "");
std::string TextArea(absl::string_view id, absl::string_view label, absl::string_view hint,
                     const FieldState& state);
// `options` are (value, label); the first option is preselected unless `state.value` names one.
std::string Select(absl::string_view id, absl::string_view label, absl::string_view hint,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   const FieldState& state);
// Checkboxes: `options` are (value, label); `checked` the values ticked. The first box's id is
// `id` (where an error summary links to).
std::string Checkboxes(absl::string_view id, absl::string_view legend, absl::string_view hint,
                       const std::vector<std::pair<std::string, std::string>>& options,
                       const std::vector<std::string>& checked, absl::string_view error);
// (key, value html) rows.
std::string SummaryList(const std::vector<std::pair<std::string, std::string>>& rows_html);
// A captioned table; cells are HTML the caller has escaped.
std::string Table(absl::string_view caption, const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows_html);
std::string Link(absl::string_view href, absl::string_view text);
std::string Paragraph(absl::string_view text);
std::string InsetText(absl::string_view text);
// A POST form's opening tag with the session's form token; close with FormEnd(button text).
std::string FormStart(const Viewer& viewer, absl::string_view action, absl::string_view method = "post");
std::string FormEnd(absl::string_view button);

}  // namespace web

#endif  // ENGAGEMENT_WEB_PAGE_H_
