// The console's downloads for auditors: an evidence pack of a decision and an audit bundle of a
// range of positions, each one zip file (bundle_download.h).
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "web/bundle_download.h"
#include "web/console.h"

namespace web {

void Console::SendDownload(Visit& visit, const absl::StatusOr<Download>& download) {
  if (!download.ok()) {
    return RespondRefusal(visit, static_cast<int>(download.status().code()),
                          std::string(download.status().message()));
  }
  visit.response.set_header("Content-Disposition",
                            absl::StrCat("attachment; filename=\"", download->filename, "\""));
  visit.response.set_content(download->zip, "application/zip");
}

void Console::EvidenceDownload(Visit& visit) {
  const std::string organisation = absl::AsciiStrToUpper(visit.http.get_param_value("organisation"));
  SendDownload(visit, EvidencePackZip(
                          channel_, [&](grpc::ClientContext& c) { Prepare(c, visit); },
                          organisation, visit.http.matches[1]));
}

void Console::BundleDownload(Visit& visit) {
  uint64_t from = 0, to = 0;
  if (!absl::SimpleAtoi(visit.http.get_param_value("from"), &from) ||
      !absl::SimpleAtoi(visit.http.get_param_value("to"), &to)) {
    return Respond(visit, 400, "That cannot be downloaded",
                   Paragraph("Give the first and last positions as whole numbers."));
  }
  SendDownload(visit, AuditBundleZip(channel_, [&](grpc::ClientContext& c) { Prepare(c, visit); },
                                     from, to));
}

}  // namespace web
