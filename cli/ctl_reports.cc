#include "cli/ctl_reports.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <unistd.h>

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "projections/annual_report.h"
#include "projections/report_export.h"
#include "projections/session_summary.h"
#include "cli/ctl_commands.h"

namespace ctl {

namespace {

using engagement::v1::ReportService;

std::unique_ptr<ReportService::Stub> ReportStub(const ReportOptions& options) {
  return ReportService::NewStub(Channel(options.server, options.credentials));
}

// Reports a failed call as the other commands do (ctl_commands.cc).
int Failed(const grpc::Status& status, const ReportOptions& options) {
  Options server;
  server.server = options.server;
  return Report(status, server);
}

}  // namespace

// --as_of: a log position, or a date or time (the events recorded by then).
bool ParseAsOf(const std::string& text, engagement::v1::AsOf* out) {
  if (text.empty()) return true;
  uint64_t position = 0;
  if (absl::SimpleAtoi(text, &position)) {
    out->set_position(position);
    return true;
  }
  absl::Time time;
  std::string error;
  if (absl::ParseTime(absl::RFC3339_full, text, &time, &error) ||
      absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &time, &error)) {
    if (text.size() == 10) time += absl::Hours(24) - absl::Seconds(1);  // the whole day
    out->mutable_recorded_at()->set_seconds(absl::ToUnixSeconds(time));
    return true;
  }
  return false;
}

namespace {

std::string Json(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  print.add_whitespace = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, print);
  return out;
}

int Emit(const std::string& text, const ReportOptions& options) {
  if (options.out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  std::ofstream file(options.out, std::ios::binary);
  file << text;
  file.close();
  if (!file) {
    std::fprintf(stderr, "ledgerctl: cannot write %s\n", options.out.c_str());
    return kExitFailed;
  }
  std::fprintf(stderr, "ledgerctl: wrote %s (%zu bytes)\n", options.out.c_str(), text.size());
  return kExitOk;
}

void Deadline(grpc::ClientContext* context, const ReportOptions& options) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(options.timeout_seconds));
}

int Usage(const char* message) {
  std::fprintf(stderr, "ledgerctl: %s\n", message);
  return kExitUsage;
}

}  // namespace

int ReportCommand(const std::string& what, const ReportOptions& options) {
  if (options.organisation.empty()) return Usage("report: --org is required (an ODS code)");
  engagement::v1::AsOf as_of;
  if (!ParseAsOf(options.as_of, &as_of)) {
    return Usage("report: --as_of must be a log position, YYYY-MM-DD or an RFC 3339 time");
  }
  if (options.as_of_from_log && as_of.point_case() != engagement::v1::AsOf::POINT_NOT_SET) {
    as_of.set_from_log(true);
  }
  auto stub = ReportStub(options);
  grpc::ClientContext context;
  Deadline(&context, options);
  if (what == "assurance") {
    if (options.from.empty() || options.to.empty()) {
      return Usage("report assurance: --from and --to are required (YYYY-MM-DD)");
    }
    if (options.format != "json" && options.format != "csv" && options.format != "html" &&
        options.format != "pdf") {
      return Usage("report assurance: --format must be json, csv, html or pdf");
    }
    engagement::v1::GetAssuranceReportRequest request;
    request.set_organisation(options.organisation);
    request.set_period_start(options.from);
    request.set_period_end(options.to);
    request.set_exact_figures(options.exact);
    request.set_open_loop_days(options.open_loop_days);
    request.set_minimum_consultation_days(options.minimum_consultation_days);
    request.set_core20_population_percent(options.core20_population_percent);
    for (const std::string& pair : options.population_shares) {
      size_t eq = pair.find('=');
      double share = 0;
      if (eq == std::string::npos || !absl::SimpleAtod(pair.substr(eq + 1), &share)) {
        return Usage("report assurance: --population_share takes GROUP=PERCENT,...");
      }
      (*request.mutable_population_share_percent())[pair.substr(0, eq)] = share;
    }
    if (!options.as_of.empty()) *request.mutable_as_of() = as_of;
    engagement::v1::GetAssuranceReportResponse response;
    grpc::Status status = stub->GetAssuranceReport(&context, request, &response);
    if (!status.ok()) return Failed(status, options);
    if (options.format == "csv") return Emit(projections::AssuranceReportCsv(response.report()), options);
    if (options.format == "html") return Emit(projections::AssuranceReportHtml(response.report()), options);
    if (options.format == "pdf") {
      if (options.out.empty() && isatty(fileno(stdout))) {
        return Usage("report assurance --format=pdf: give --out=FILE.pdf (or redirect stdout)");
      }
      return Emit(projections::AssuranceReportPdf(response.report()), options);
    }
    return Emit(Json(response.report()) + "\n", options);
  }
  if (what == "trace") {
    engagement::v1::GetTraceabilityRequest request;
    request.set_organisation(options.organisation);
    if (!options.insight.empty()) {
      request.set_insight_id(options.insight);
    } else if (!options.decision.empty()) {
      request.set_decision_id(options.decision);
    } else {
      return Usage("report trace: give --insight=ID or --decision=ID");
    }
    request.set_exact_figures(options.exact);
    if (!options.as_of.empty()) *request.mutable_as_of() = as_of;
    engagement::v1::GetTraceabilityResponse response;
    grpc::Status status = stub->GetTraceability(&context, request, &response);
    if (!status.ok()) return Failed(status, options);
    return Emit(Json(response) + "\n", options);
  }
  if (what == "session") {
    if (options.session.empty()) return Usage("report session: --session=ID is required");
    if (options.format != "json" && options.format != "csv" && options.format != "html") {
      return Usage("report session: --format must be json, csv or html");
    }
    engagement::v1::GetSessionSummaryRequest request;
    request.set_organisation(options.organisation);
    request.set_session_id(options.session);
    request.set_exact_figures(options.exact);
    if (!options.as_of.empty()) *request.mutable_as_of() = as_of;
    engagement::v1::GetSessionSummaryResponse response;
    grpc::Status status = stub->GetSessionSummary(&context, request, &response);
    if (!status.ok()) return Failed(status, options);
    if (options.format == "csv") return Emit(projections::SessionSummaryCsv(response.summary()), options);
    if (options.format == "html") {
      return Emit(projections::SessionSummaryHtml(response.summary(), response.provenance()), options);
    }
    return Emit(Json(response) + "\n", options);
  }
  if (what == "annual") {
    if (options.from.empty() || options.to.empty()) {
      return Usage("report annual: --from and --to are required (YYYY-MM-DD)");
    }
    if (options.format != "json" && options.format != "csv" && options.format != "html") {
      return Usage("report annual: --format must be json, csv or html");
    }
    engagement::v1::GetAnnualReportRequest request;
    request.set_organisation(options.organisation);
    request.set_period_start(options.from);
    request.set_period_end(options.to);
    request.set_exact_figures(options.exact);
    if (!options.as_of.empty()) *request.mutable_as_of() = as_of;
    engagement::v1::GetAnnualReportResponse response;
    grpc::Status status = stub->GetAnnualReport(&context, request, &response);
    if (!status.ok()) return Failed(status, options);
    if (options.format == "csv") return Emit(projections::AnnualReportCsv(response.report()), options);
    if (options.format == "html") return Emit(projections::AnnualReportHtml(response.report()), options);
    return Emit(Json(response.report()) + "\n", options);
  }
  if (what == "yousaid") {
    bool by_period = !options.from.empty() || !options.to.empty();
    if (options.engagement.empty() && !by_period) {
      return Usage("report yousaid: give --engagement=ID, or --from and --to [--body=NAME]");
    }
    engagement::v1::GetYouSaidWeDidRequest request;
    request.set_organisation(options.organisation);
    request.set_engagement_id(options.engagement);
    if (options.engagement.empty()) {
      request.set_period_start(options.from);
      request.set_period_end(options.to);
      request.set_deciding_body_name(options.body);
    }
    if (!options.as_of.empty()) *request.mutable_as_of() = as_of;
    engagement::v1::GetYouSaidWeDidResponse response;
    grpc::Status status = stub->GetYouSaidWeDid(&context, request, &response);
    if (!status.ok()) return Failed(status, options);
    if (options.format == "json") return Emit(Json(response) + "\n", options);
    if (options.format == "html") return Emit(projections::YouSaidWeDidHtml(response), options);
    std::string text = absl::StrCat("You said, we did: ", response.engagement_title(), "\n\n");
    for (const auto& item : response.items()) {
      if (options.engagement.empty()) absl::StrAppend(&text, "(", item.engagement_title(), ")\n");
      absl::StrAppend(&text, "You said: ", item.you_said(), "\nWe did:   ", item.we_did(), "\n\n");
    }
    return Emit(text, options);
  }
  return Usage("report: say assurance, trace, yousaid, session or annual");
}

int ProjectionsCommand(const std::string& what, const ReportOptions& options) {
  auto stub = ReportStub(options);
  grpc::ClientContext context;
  if (what == "status") {
    Deadline(&context, options);
    engagement::v1::ListProjectionsResponse response;
    grpc::Status status = stub->ListProjections(&context, {}, &response);
    if (!status.ok()) return Failed(status, options);
    int code = kExitOk;
    for (const auto& p : response.projections()) {
      std::printf("%-12s version %u  at position %llu of %llu%s%s\n", p.name().c_str(), p.version(),
                  static_cast<unsigned long long>(p.position()),
                  static_cast<unsigned long long>(p.head_position()),
                  p.error().empty() ? "" : "  STOPPED: ", p.error().c_str());
      if (!p.check_error().empty()) {
        std::printf("             DIFFERS FROM THE LOG: %s\n", p.check_error().c_str());
      } else if (p.has_checked_at()) {
        std::printf("             matched the log when last checked (%s)\n",
                    absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                     absl::FromUnixSeconds(p.checked_at().seconds()),
                                     absl::UTCTimeZone())
                        .c_str());
      }
      if (!p.error().empty() || !p.check_error().empty()) code = kExitFailed;
    }
    return code;
  }
  if (what == "verify") {
    // Replays the whole log on the server: no deadline unless one was asked for.
    if (options.timeout_seconds > 60) Deadline(&context, options);
    engagement::v1::VerifyProjectionsResponse response;
    grpc::Status status = stub->VerifyProjections(&context, {}, &response);
    if (!status.ok()) return Failed(status, options);
    int code = kExitOk;
    for (const auto& check : response.checks()) {
      if (check.matches()) {
        std::printf("%-12s OK: %llu records%s equal the log replayed to position %llu\n",
                    check.name().c_str(), static_cast<unsigned long long>(check.records()),
                    check.versions() > 0
                        ? absl::StrCat(" and ", check.versions(), " past versions").c_str()
                        : "",
                    static_cast<unsigned long long>(check.position()));
      } else {
        std::printf("%-12s FAILED: %s\n", check.name().c_str(), check.mismatch().c_str());
        code = kExitVerifyFailed;
      }
    }
    return code;
  }
  if (what == "rebuild") {
    engagement::v1::RebuildProjectionRequest request;
    request.set_name(options.name);
    auto reader = stub->RebuildProjection(&context, request);
    engagement::v1::RebuildProjectionResponse progress;
    bool any = false;
    while (reader->Read(&progress)) {
      any = true;
      int width = 40;
      int filled = progress.total() == 0
                       ? width
                       : static_cast<int>(width * progress.done() / progress.total());
      std::fprintf(stderr, "\r[%s%s] %llu/%llu events, %.0f events/s",
                   std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                   static_cast<unsigned long long>(progress.done()),
                   static_cast<unsigned long long>(progress.total()), progress.events_per_second());
    }
    if (any) std::fprintf(stderr, "\n");
    grpc::Status status = reader->Finish();
    if (!status.ok()) return Failed(status, options);
    std::printf("rebuilt %s: %llu events at %.0f events/s\n", options.name.c_str(),
                static_cast<unsigned long long>(progress.total()), progress.events_per_second());
    return kExitOk;
  }
  return Usage("projections: say status, verify or rebuild");
}

}  // namespace ctl
