// The console's pages for boards and auditors: the assurance report, the trace from a decision
// to the people behind it, and the audit page (checkpoints, witnesses, projection checks).
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engagement/v1/audit.grpc.pb.h"
#include "engagement/v1/operations.grpc.pb.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "projections/report_export.h"
#include "web/bundle_download.h"
#include "web/console.h"

namespace web {
namespace {

// The financial year (1 April to 31 March) that `now` is in.
std::pair<std::string, std::string> FinancialYear(absl::Time now) {
  absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
  int64_t start = today.month() >= 4 ? today.year() : today.year() - 1;
  return {absl::StrCat(start, "-04-01"), absl::StrCat(start + 1, "-03-31")};
}

std::string Percent(double value) { return absl::StrCat(static_cast<int>(value + 0.5), "%"); }

// The report's request from the page's query; empty organisation: none asked for yet.
engagement::v1::GetAssuranceReportRequest ReportRequest(const httplib::Request& http,
                                                        std::string* as_of_error) {
  engagement::v1::GetAssuranceReportRequest request;
  request.set_organisation(absl::AsciiStrToUpper(http.get_param_value("organisation")));
  auto [start, end] = FinancialYear(absl::Now());
  request.set_period_start(http.has_param("period_start") ? http.get_param_value("period_start")
                                                          : start);
  request.set_period_end(http.has_param("period_end") ? http.get_param_value("period_end") : end);
  const std::string as_of = http.get_param_value("as_of");
  if (!as_of.empty()) {
    absl::Time day;
    std::string error;
    if (absl::ParseTime("%Y-%m-%d", as_of, &day, &error)) {
      // The end of that day: the report as it stood when the day was over.
      request.mutable_as_of()->mutable_recorded_at()->set_seconds(
          absl::ToUnixSeconds(day + absl::Hours(24)) - 1);
    } else {
      *as_of_error = "Enter the date as year-month-day, as 2025-05-01";
    }
  }
  return request;
}

std::string QueryOf(const httplib::Request& http) {
  std::string query;
  for (const char* name : {"organisation", "period_start", "period_end", "as_of"}) {
    if (!http.has_param(name)) continue;
    std::string value;
    for (unsigned char c : http.get_param_value(name)) {
      if (absl::ascii_isalnum(c) || c == '-') {
        value += static_cast<char>(c);
      } else {
        absl::StrAppend(&value, "%", absl::Hex(c, absl::kZeroPad2));
      }
    }
    absl::StrAppend(&query, query.empty() ? "" : "&", name, "=", value);
  }
  return query;
}

}  // namespace

bool Console::FetchAssuranceReport(Visit& visit,
                                   const engagement::v1::GetAssuranceReportRequest& request,
                                   engagement::v1::GetAssuranceReportResponse* answer) {
  auto reports = engagement::v1::ReportService::NewStub(channel_);
  grpc::ClientContext context;
  Prepare(context, visit);
  grpc::Status status = reports->GetAssuranceReport(&context, request, answer);
  if (!status.ok()) RespondRefusal(visit, status.error_code(), status.error_message());
  return status.ok();
}

void Console::AssuranceReport(Visit& visit) {
  std::string as_of_error;
  engagement::v1::GetAssuranceReportRequest request = ReportRequest(visit.http, &as_of_error);
  std::string html = ErrorSummary(as_of_error.empty()
                                      ? std::vector<std::pair<std::string, std::string>>{}
                                      : std::vector<std::pair<std::string, std::string>>{
                                            {"as_of", as_of_error}});
  html += FormStart(visit.viewer, "/reports/assurance", "get");
  html += TextInput("organisation", "Organisation", "Its ODS code, as QWE",
                    {request.organisation(), ""}, "text", "nhsuk-input--width-10");
  html += TextInput("period_start", "From", "The period's first day, as 2025-04-01",
                    {request.period_start(), ""}, "text", "nhsuk-input--width-10");
  html += TextInput("period_end", "To", "The period's last day, as 2026-03-31",
                    {request.period_end(), ""}, "text", "nhsuk-input--width-10");
  html += TextInput("as_of", "As it stood on (optional)",
                    "Leave blank for the report as it stands now",
                    {visit.http.get_param_value("as_of"), as_of_error}, "text",
                    "nhsuk-input--width-10");
  html += FormEnd("Show the report");
  if (request.organisation().empty() || !as_of_error.empty()) {
    return Respond(visit, as_of_error.empty() ? 200 : 400, "Assurance report", html);
  }
  engagement::v1::GetAssuranceReportResponse answer;
  if (!FetchAssuranceReport(visit, request, &answer)) return;
  const engagement::v1::AssuranceReport& r = answer.report();
  const std::string query = QueryOf(visit.http);
  absl::StrAppend(
      &html, "<h2 class=\"nhsuk-heading-m\">", Escape(r.organisation()), ", ",
      Escape(r.period_start()), " to ", Escape(r.period_end()), "</h2>\n",
      SummaryList({{"Engagements", absl::StrCat(r.engagements())},
                   {"Sessions held", absl::StrCat(r.sessions_held())},
                   {"People reached", Escape(r.participants_reached().display())},
                   {"Insights recorded", absl::StrCat(r.insights_recorded())},
                   {"Insights considered by a decision",
                    absl::StrCat(r.insights_considered_by_decision(), " (",
                                 Percent(r.percent_considered()), ")")},
                   {"Insights adopted or partly adopted",
                    absl::StrCat(r.insights_adopted_or_partly(), " (",
                                 Percent(r.percent_adopted_or_partly()), ")")},
                   {"Insights fed back", absl::StrCat(r.insights_fed_back(), " (",
                                                      Percent(r.percent_fed_back()), ")")},
                   {"Decisions", absl::StrCat(r.decisions())},
                   {"Computed at log position", absl::StrCat(r.provenance().position())}}),
      "<ul class=\"nhsuk-list\">\n<li>",
      Link(absl::StrCat("/reports/assurance/download?format=html&", query),
           "The whole report, with its charts (HTML)"),
      "</li>\n<li>",
      Link(absl::StrCat("/reports/assurance/download?format=html&download=1&", query),
           "Download it as HTML"),
      "</li>\n<li>",
      Link(absl::StrCat("/reports/assurance/download?format=csv&", query), "Download it as CSV"),
      "</li>\n<li>",
      Link(absl::StrCat("/reports/assurance/download?format=pdf&", query), "Download it as PDF"),
      "</li>\n</ul>\n");
  Respond(visit, 200, "Assurance report", html);
}

void Console::AssuranceDownload(Visit& visit) {
  std::string as_of_error;
  engagement::v1::GetAssuranceReportRequest request = ReportRequest(visit.http, &as_of_error);
  if (request.organisation().empty() || !as_of_error.empty()) {
    return Respond(visit, 400, "That cannot be shown",
                   Paragraph("Choose an organisation and a period on the report page."));
  }
  engagement::v1::GetAssuranceReportResponse answer;
  if (!FetchAssuranceReport(visit, request, &answer)) return;
  // The file's name, from what the person typed: letters, digits and dashes only, so that it
  // cannot break out of the Content-Disposition header.
  std::string name = absl::StrCat("assurance-", request.organisation(), "-",
                                  request.period_start(), "-", request.period_end());
  for (char& c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  }
  if (name.size() > 100) name.resize(100);
  if (visit.http.get_param_value("format") == "pdf") {
    visit.response.set_header("Content-Disposition",
                              absl::StrCat("attachment; filename=\"", name, ".pdf\""));
    visit.response.set_content(projections::AssuranceReportPdf(answer.report()),
                               "application/pdf");
    return;
  }
  if (visit.http.get_param_value("format") == "csv") {
    visit.response.set_header("Content-Disposition",
                              absl::StrCat("attachment; filename=\"", name, ".csv\""));
    visit.response.set_content(projections::AssuranceReportCsv(answer.report()),
                               "text/csv; charset=utf-8");
    return;
  }
  if (visit.http.has_param("download")) {
    visit.response.set_header("Content-Disposition",
                              absl::StrCat("attachment; filename=\"", name, ".html\""));
  }
  // The report is one self-contained document (projections/html_page.h): its styles are inline,
  // and it has no script and fetches nothing.
  visit.response.headers.erase("Content-Security-Policy");
  visit.response.set_header("Content-Security-Policy",
                            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                            "frame-ancestors 'none'; base-uri 'none'");
  visit.response.set_content(projections::AssuranceReportHtml(answer.report()),
                             "text/html; charset=utf-8");
}

void Console::Trace(Visit& visit) {
  engagement::v1::GetTraceabilityRequest request;
  const std::string organisation = absl::AsciiStrToUpper(visit.http.get_param_value("organisation"));
  request.set_organisation(organisation);
  const bool from_insight = absl::StartsWith(visit.http.path, "/insights/");
  if (from_insight) {
    request.set_insight_id(visit.http.matches[1]);
  } else {
    request.set_decision_id(visit.http.matches[1]);
  }
  auto reports = engagement::v1::ReportService::NewStub(channel_);
  grpc::ClientContext context;
  Prepare(context, visit);
  engagement::v1::GetTraceabilityResponse trace;
  grpc::Status status = reports->GetTraceability(&context, request, &trace);
  if (!status.ok()) return RespondRefusal(visit, status.error_code(), status.error_message());
  // Insights and decisions link to their own traces: forwards from an insight, backwards from
  // a decision.
  auto steps = [&](const google::protobuf::RepeatedPtrField<engagement::v1::TraceStep>& list) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& step : list) {
      std::string what = Escape(step.kind());
      if (step.kind() == "insight" || step.kind() == "decision") {
        what = Link(absl::StrCat("/", step.kind(), "s/", step.id(), "/trace?organisation=",
                                 organisation),
                    step.kind());
      }
      rows.push_back({what, Escape(step.text()), Escape(step.date()),
                      absl::StrCat(step.position())});
    }
    return rows;
  };
  const std::vector<std::string> header = {"What", "Said", "Date", "Log position"};
  if (from_insight) {
    std::string html = SummaryList({{"Insight", Escape(trace.origin().text())},
                                    {"Date", Escape(trace.origin().date())}});
    html += Table("Decisions that considered it", header, steps(trace.linked()));
    html += Table("Feedback that told people", header, steps(trace.feedback()));
    return Respond(visit, 200, "From an insight to what was decided", html);
  }
  std::string html = SummaryList({{"Decision", Escape(trace.origin().text())},
                                  {"Date", Escape(trace.origin().date())},
                                  {"People behind it", Escape(trace.people().display())}});
  html += Table("Insights it considered", header, steps(trace.linked()));
  html += Table("Sessions the insights came from", header, steps(trace.sessions()));
  std::vector<std::vector<std::string>> mix;
  for (const auto& group : trace.people_by_priority_group()) {
    mix.push_back({Escape(group.label().empty() ? group.group() : group.label()),
                   Escape(group.reached().display())});
  }
  html += Table("The mix of people, by priority group", {"Group", "People"}, mix);
  html += Table("Feedback given on it", header, steps(trace.feedback()));
  if (visit.viewer.may_audit) {
    absl::StrAppend(
        &html, "<p>",
        Link(absl::StrCat("/decisions/", request.decision_id(), "/evidence?organisation=",
                          organisation),
             "Download the evidence pack (zip)"),
        ": every event above and the invitations behind it, each with its proof against the "
        "signed checkpoint, to check with ledgerctl audit check or docs/audit.md's checker.</p>\n");
  }
  html += Paragraph("Counts of 1 to 7 people are shown as * and others are rounded to the "
                    "nearest 5, so that no one can be singled out.");
  Respond(visit, 200, "From a decision to the people behind it", html);
}

void Console::Audit(Visit& visit) {
  auto audit = engagement::v1::AuditService::NewStub(channel_);
  auto operations = engagement::v1::OperationsService::NewStub(channel_);
  auto reports = engagement::v1::ReportService::NewStub(channel_);
  std::string html;
  if (visit.http.method == "POST") {  // check every projection against the log now
    grpc::ClientContext context;
    Prepare(context, visit);
    engagement::v1::VerifyProjectionsResponse checked;
    grpc::Status status = reports->VerifyProjections(&context, {}, &checked);
    if (!status.ok()) return RespondRefusal(visit, status.error_code(), status.error_message());
    std::vector<std::vector<std::string>> rows;
    for (const auto& check : checked.checks()) {
      rows.push_back({Escape(check.name()), absl::StrCat(check.position()),
                      check.matches() ? "Matches the log" : Escape(check.mismatch())});
    }
    html += Table("Projections checked just now", {"Projection", "At position", "Result"}, rows);
  }
  grpc::ClientContext c1;
  Prepare(c1, visit);
  engagement::v1::GetCheckpointResponse checkpoint;
  grpc::Status status = audit->GetCheckpoint(&c1, {}, &checkpoint);
  if (!status.ok()) return RespondRefusal(visit, status.error_code(), status.error_message());
  grpc::ClientContext c2;
  Prepare(c2, visit);
  engagement::v1::GetHealthResponse health;
  status = operations->GetHealth(&c2, {}, &health);
  if (!status.ok()) return RespondRefusal(visit, status.error_code(), status.error_message());
  grpc::ClientContext c3;
  Prepare(c3, visit);
  engagement::v1::ListProjectionsResponse projections;
  status = reports->ListProjections(&c3, {}, &projections);
  if (!status.ok()) return RespondRefusal(visit, status.error_code(), status.error_message());

  html += SummaryList(
      {{"Status", health.serving() ? "Serving: no problem standing" : "Not serving: see below"},
       {"Latest checkpoint", absl::StrCat(checkpoint.checkpoint().tree_size(), " events")},
       {"Root hash", absl::StrCat("<code>", absl::Base64Escape(checkpoint.checkpoint().root_hash()),
                                  "</code>")}});
  absl::StrAppend(&html, "<h2 class=\"nhsuk-heading-m\">The signed checkpoint</h2>\n",
                  "<p>A C2SP signed note: the ledger's signature, then each witness's "
                  "cosignature.</p>\n<pre class=\"console-note\">",
                  Escape(checkpoint.checkpoint().note()), "</pre>\n");
  std::vector<std::vector<std::string>> problems;
  for (const auto& problem : health.problems()) {
    problems.push_back({Escape(problem.source()), Escape(problem.message())});
  }
  if (!problems.empty()) html += Table("Problems", {"Where", "What"}, problems);
  std::vector<std::vector<std::string>> witnesses;
  for (const auto& w : health.witnesses()) {
    witnesses.push_back({Escape(w.name()), Escape(w.url()), absl::StrCat(w.cosigned_size()),
                         Escape(w.last_error().empty() ? "Cosigning" : w.last_error())});
  }
  html += Table("Witnesses", {"Witness", "Address", "Cosigned up to", "State"}, witnesses);
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : projections.projections()) {
    std::string state = !p.error().empty()         ? p.error()
                        : !p.check_error().empty() ? p.check_error()
                        : p.has_checked_at()       ? "Matched the log when last checked"
                                                   : "Not checked yet";
    rows.push_back({Escape(p.name()), absl::StrCat(p.position(), " of ", p.head_position()),
                    Escape(state)});
  }
  html += Table("Projections", {"Projection", "Up to position", "Check"}, rows);
  html += FormStart(visit.viewer, "/audit") + FormEnd("Check every projection against the log now");
  const uint64_t size = checkpoint.checkpoint().tree_size();
  html += absl::StrCat(
      "<h2 class=\"nhsuk-heading-m\">Download an audit bundle</h2>\n",
      Paragraph(absl::StrCat("The events between two positions, each with its proof against the "
                             "signed checkpoint (at most ", kMaxBundleEvents, " events).")),
      FormStart(visit.viewer, "/audit/bundle", "get"),
      TextInput("from", "First position", "", {absl::StrCat(size > 99 ? size - 99 : 1), ""},
                "text", "nhsuk-input--width-10\" inputmode=\"numeric"),
      TextInput("to", "Last position", "", {absl::StrCat(size), ""}, "text",
                "nhsuk-input--width-10\" inputmode=\"numeric"),
      FormEnd("Download the audit bundle (zip)"));
  Respond(visit, 200, "Audit", html);
}

}  // namespace web
