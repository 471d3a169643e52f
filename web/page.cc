#include "web/page.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace web {
namespace {

// NHS.UK frontend's NHS logo (the header component's).
constexpr char kLogoPath[] = R"svg(d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z")svg";

std::string ErrorMessage(absl::string_view id, absl::string_view error) {
  return absl::StrCat("<span class=\"nhsuk-error-message\" id=\"", id,
                      "-error\"><span class=\"nhsuk-u-visually-hidden\">Error:</span> ",
                      Escape(error), "</span>\n");
}

std::string Described(absl::string_view id, absl::string_view hint, const FieldState& state) {
  std::string ids;
  if (!hint.empty()) absl::StrAppend(&ids, id, "-hint");
  if (!state.error.empty()) absl::StrAppend(&ids, ids.empty() ? "" : " ", id, "-error");
  return ids.empty() ? "" : absl::StrCat(" aria-describedby=\"", ids, "\"");
}

std::string GroupStart(absl::string_view id, absl::string_view label, absl::string_view hint,
                       const FieldState& state) {
  std::string html = absl::StrCat(
      "<div class=\"nhsuk-form-group", state.error.empty() ? "" : " nhsuk-form-group--error",
      "\">\n<label class=\"nhsuk-label\" for=\"", id, "\">", Escape(label), "</label>\n");
  if (!hint.empty()) {
    absl::StrAppend(&html, "<div class=\"nhsuk-hint\" id=\"", id, "-hint\">", Escape(hint),
                    "</div>\n");
  }
  if (!state.error.empty()) absl::StrAppend(&html, ErrorMessage(id, state.error));
  return html;
}

}  // namespace

std::string RenderPage(const Viewer& viewer, absl::string_view title, absl::string_view main_html) {
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
      Escape(title),
      " - Engagement ledger</title>\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<link rel=\"icon\" href=\"/assets/images/favicon.svg\" type=\"image/svg+xml\">\n"
      "<link rel=\"stylesheet\" href=\"/assets/nhsuk-frontend.min.css\">\n"
      "<link rel=\"stylesheet\" href=\"/assets/console.css\">\n</head>\n<body>\n"
      "<a class=\"nhsuk-skip-link\" href=\"#maincontent\">Skip to main content</a>\n"
      "<header class=\"nhsuk-header\" role=\"banner\">\n"
      "<div class=\"nhsuk-header__container nhsuk-width-container\">\n"
      "<div class=\"nhsuk-header__service\">\n"
      "<a class=\"nhsuk-header__service-logo\" href=\"/\" aria-label=\"Engagement ledger home\">\n"
      "<svg class=\"nhsuk-header__logo\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 80\" "
      "height=\"40\" width=\"100\" focusable=\"false\" role=\"img\" aria-label=\"NHS\">"
      "<title>NHS</title><path fill=\"currentcolor\" ", kLogoPath, "/></svg>\n"
      "<span class=\"nhsuk-header__service-name\">Engagement ledger</span>\n</a>\n</div>\n");
  if (!viewer.identity.empty()) {
    absl::StrAppend(
        &html,
        "<nav class=\"nhsuk-header__account\" aria-label=\"Account\">\n"
        "<ul class=\"nhsuk-header__account-list\">\n"
        "<li class=\"nhsuk-header__account-item\">Signed in as ", Escape(viewer.identity),
        "</li>\n<li class=\"nhsuk-header__account-item\">\n"
        "<form class=\"nhsuk-header__account-form\" action=\"/sign-out\" method=\"post\">\n"
        "<input type=\"hidden\" name=\"csrf\" value=\"", Escape(viewer.csrf), "\">\n"
        "<button class=\"nhsuk-header__account-button\">Sign out</button>\n</form>\n</li>\n"
        "</ul>\n</nav>\n");
  }
  absl::StrAppend(&html, "</div>\n");
  if (!viewer.identity.empty()) {
    absl::StrAppend(&html,
                    "<nav class=\"nhsuk-header__navigation\" aria-label=\"Menu\">\n"
                    "<div class=\"nhsuk-header__navigation-container nhsuk-width-container\">\n"
                    "<ul class=\"nhsuk-header__navigation-list\">\n");
    auto item = [&](absl::string_view href, absl::string_view text) {
      absl::StrAppend(&html, "<li class=\"nhsuk-header__navigation-item\"><a class=\""
                             "nhsuk-header__navigation-link\" href=\"", href, "\">", text,
                      "</a></li>\n");
    };
    item("/", "Home");
    if (viewer.may_record || viewer.may_audit || viewer.may_read_reports) {
      item("/engagements", "Engagements");
    }
    if (viewer.may_read_reports) item("/reports/assurance", "Assurance report");
    if (viewer.may_audit) item("/audit", "Audit");
    absl::StrAppend(&html, "</ul>\n</div>\n</nav>\n");
  }
  absl::StrAppend(
      &html,
      "</header>\n<div class=\"nhsuk-width-container\">\n"
      "<main class=\"nhsuk-main-wrapper\" id=\"maincontent\">\n"
      "<h1 class=\"nhsuk-heading-l\">", Escape(title), "</h1>\n", main_html,
      "</main>\n</div>\n<footer class=\"nhsuk-footer\" role=\"contentinfo\">\n"
      "<div class=\"nhsuk-width-container\">\n<div class=\"nhsuk-footer__meta\">\n"
      "<h2 class=\"nhsuk-u-visually-hidden\">Support links</h2>\n"
      "<ul class=\"nhsuk-footer__list\">\n<li class=\"nhsuk-footer__list-item\">"
      "<a class=\"nhsuk-footer__list-item-link\" href=\"/v1/openapi.json\">JSON API "
      "(OpenAPI)</a></li>\n</ul>\n"
      "<p class=\"nhsuk-body-s\">Engagement ledger: the record of patient and public "
      "involvement in commissioning</p>\n</div>\n</div>\n</footer>\n</body>\n</html>\n");
  return html;
}

std::string ErrorSummary(const std::vector<std::pair<std::string, std::string>>& field_errors) {
  if (field_errors.empty()) return "";
  std::string html =
      "<div class=\"nhsuk-error-summary\" aria-labelledby=\"error-summary-title\" role=\"alert\" "
      "tabindex=\"-1\" autofocus>\n<h2 class=\"nhsuk-error-summary__title\" "
      "id=\"error-summary-title\">There is a problem</h2>\n"
      "<div class=\"nhsuk-error-summary__body\">\n"
      "<ul class=\"nhsuk-list nhsuk-error-summary__list\">\n";
  for (const auto& [id, error] : field_errors) {
    if (id.empty()) {
      absl::StrAppend(&html, "<li>", Escape(error), "</li>\n");
    } else {
      absl::StrAppend(&html, "<li><a href=\"#", id, "\">", Escape(error), "</a></li>\n");
    }
  }
  absl::StrAppend(&html, "</ul>\n</div>\n</div>\n");
  return html;
}

std::string TextInput(absl::string_view id, absl::string_view label, absl::string_view hint,
                      const FieldState& state, absl::string_view type,
                      absl::string_view width_class) {
  return absl::StrCat(
      GroupStart(id, label, hint, state), "<input class=\"nhsuk-input",
      state.error.empty() ? "" : " nhsuk-input--error", width_class.empty() ? "" : " ",
      width_class, "\" id=\"", id, "\" name=\"", id, "\" type=\"", type, "\" value=\"",
      Escape(state.value), "\"", Described(id, hint, state), ">\n</div>\n");
}

std::string TextArea(absl::string_view id, absl::string_view label, absl::string_view hint,
                     const FieldState& state) {
  return absl::StrCat(GroupStart(id, label, hint, state), "<textarea class=\"nhsuk-textarea",
                      state.error.empty() ? "" : " nhsuk-textarea--error", "\" id=\"", id,
                      "\" name=\"", id, "\" rows=\"4\"", Described(id, hint, state), ">",
                      Escape(state.value), "</textarea>\n</div>\n");
}

std::string Select(absl::string_view id, absl::string_view label, absl::string_view hint,
                   const std::vector<std::pair<std::string, std::string>>& options,
                   const FieldState& state) {
  std::string html = absl::StrCat(GroupStart(id, label, hint, state), "<select class=\"nhsuk-select",
                                  state.error.empty() ? "" : " nhsuk-select--error", "\" id=\"", id,
                                  "\" name=\"", id, "\"", Described(id, hint, state), ">\n");
  for (const auto& [value, text] : options) {
    absl::StrAppend(&html, "<option value=\"", Escape(value), "\"",
                    value == state.value ? " selected" : "", ">", Escape(text), "</option>\n");
  }
  absl::StrAppend(&html, "</select>\n</div>\n");
  return html;
}

std::string Checkboxes(absl::string_view id, absl::string_view legend, absl::string_view hint,
                       const std::vector<std::pair<std::string, std::string>>& options,
                       const std::vector<std::string>& checked, absl::string_view error) {
  FieldState state{"", std::string(error)};
  std::string html = absl::StrCat(
      "<div class=\"nhsuk-form-group", error.empty() ? "" : " nhsuk-form-group--error", "\">\n",
      "<fieldset class=\"nhsuk-fieldset\"", Described(id, hint, state), ">\n",
      "<legend class=\"nhsuk-fieldset__legend nhsuk-fieldset__legend--s\">", Escape(legend),
      "</legend>\n");
  if (!hint.empty()) {
    absl::StrAppend(&html, "<div class=\"nhsuk-hint\" id=\"", id, "-hint\">", Escape(hint),
                    "</div>\n");
  }
  if (!error.empty()) absl::StrAppend(&html, ErrorMessage(id, error));
  if (options.empty()) absl::StrAppend(&html, "<p id=\"", id, "\">None recorded yet.</p>\n");
  absl::StrAppend(&html, "<div class=\"nhsuk-checkboxes\">\n");
  for (size_t i = 0; i < options.size(); ++i) {
    const auto& [value, label] = options[i];
    const std::string box = i == 0 ? std::string(id) : absl::StrCat(id, "-", i + 1);
    bool ticked = std::find(checked.begin(), checked.end(), value) != checked.end();
    absl::StrAppend(&html, "<div class=\"nhsuk-checkboxes__item\">\n"
                           "<input class=\"nhsuk-checkboxes__input\" id=\"", box, "\" name=\"", id,
                    "\" type=\"checkbox\" value=\"", Escape(value), "\"", ticked ? " checked" : "",
                    ">\n<label class=\"nhsuk-label nhsuk-checkboxes__label\" for=\"", box, "\">",
                    Escape(label), "</label>\n</div>\n");
  }
  absl::StrAppend(&html, "</div>\n</fieldset>\n</div>\n");
  return html;
}

std::string SummaryList(const std::vector<std::pair<std::string, std::string>>& rows_html) {
  std::string html = "<dl class=\"nhsuk-summary-list\">\n";
  for (const auto& [key, value] : rows_html) {
    absl::StrAppend(&html, "<div class=\"nhsuk-summary-list__row\">\n"
                           "<dt class=\"nhsuk-summary-list__key\">", Escape(key),
                    "</dt>\n<dd class=\"nhsuk-summary-list__value\">", value, "</dd>\n</div>\n");
  }
  absl::StrAppend(&html, "</dl>\n");
  return html;
}

std::string Table(absl::string_view caption, const std::vector<std::string>& header,
                  const std::vector<std::vector<std::string>>& rows_html) {
  if (rows_html.empty()) {
    return absl::StrCat("<h2 class=\"nhsuk-heading-m\">", Escape(caption), "</h2>\n",
                        Paragraph("None yet."));
  }
  std::string html = absl::StrCat(
      "<table class=\"nhsuk-table\">\n<caption class=\"nhsuk-table__caption "
      "nhsuk-table__caption--m\">", Escape(caption), "</caption>\n"
      "<thead class=\"nhsuk-table__head\">\n<tr class=\"nhsuk-table__row\">\n");
  for (const std::string& h : header) {
    absl::StrAppend(&html, "<th class=\"nhsuk-table__header\" scope=\"col\">", Escape(h), "</th>\n");
  }
  absl::StrAppend(&html, "</tr>\n</thead>\n<tbody class=\"nhsuk-table__body\">\n");
  for (const std::vector<std::string>& row : rows_html) {
    absl::StrAppend(&html, "<tr class=\"nhsuk-table__row\">\n");
    for (const std::string& cell : row) {
      absl::StrAppend(&html, "<td class=\"nhsuk-table__cell\">", cell, "</td>\n");
    }
    absl::StrAppend(&html, "</tr>\n");
  }
  absl::StrAppend(&html, "</tbody>\n</table>\n");
  return html;
}

std::string Link(absl::string_view href, absl::string_view text) {
  return absl::StrCat("<a href=\"", Escape(href), "\">", Escape(text), "</a>");
}

std::string Paragraph(absl::string_view text) { return absl::StrCat("<p>", Escape(text), "</p>\n"); }

std::string InsetText(absl::string_view text) {
  return absl::StrCat("<div class=\"nhsuk-inset-text\">\n<span class=\"nhsuk-u-visually-hidden\">"
                      "Information: </span>\n<p>", Escape(text), "</p>\n</div>\n");
}

std::string FormStart(const Viewer& viewer, absl::string_view action, absl::string_view method) {
  std::string html = absl::StrCat("<form action=\"", Escape(action), "\" method=\"", method,
                                  "\" novalidate>\n");
  if (method == "post") {
    absl::StrAppend(&html, "<input type=\"hidden\" name=\"csrf\" value=\"", Escape(viewer.csrf),
                    "\">\n");
  }
  return html;
}

std::string FormEnd(absl::string_view button) {
  return absl::StrCat("<button class=\"nhsuk-button\" type=\"submit\">", Escape(button),
                      "</button>\n</form>\n");
}

}  // namespace web
