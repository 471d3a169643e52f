// ledgerctl import: many appends from a file of JSON lines, over one AppendStream call.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <thread>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/ctl_commands.h"
#include "engagement/v1/ledger_service.grpc.pb.h"

namespace ctl {

int Import(const Options& options) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (options.file != "-") {
    file.open(options.file);
    if (!file) {
      std::fprintf(stderr, "ledgerctl import: cannot open %s\n", options.file.c_str());
      return kExitUsage;
    }
    in = &file;
  }
  // Every line is read and checked before anything is sent: a file that is not what it should
  // be changes nothing.
  std::vector<engagement::v1::AppendStreamRequest> requests;
  std::string line;
  int line_number = 0;
  while (std::getline(*in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    engagement::v1::AppendStreamRequest request;
    request.set_correlation_id(absl::StrCat(line_number));
    auto parsed = google::protobuf::util::JsonStringToMessage(line, request.mutable_append());
    if (!parsed.ok()) {
      std::fprintf(stderr,
                   "ledgerctl import: line %d is not an append (protobuf JSON of "
                   "AppendEventsRequest: stream, expected, events): %s\n",
                   line_number, parsed.ToString().c_str());
      return kExitUsage;
    }
    requests.push_back(std::move(request));
  }
  if (requests.empty()) {
    std::fprintf(stderr, "ledgerctl import: no appends in the input\n");
    return kExitUsage;
  }
  auto stub = Connect(options);
  grpc::ClientContext context;
  auto call = stub->AppendStream(&context);
  const absl::Time start = absl::Now();
  std::thread writer([&] {
    for (const auto& request : requests) {
      if (!call->Write(request)) break;
    }
    call->WritesDone();
  });
  uint64_t appended = 0, already = 0, events = 0, refused = 0;
  engagement::v1::AppendStreamResponse answer;
  while (call->Read(&answer)) {
    if (answer.has_refused()) {
      ++refused;
      std::fprintf(stderr, "ledgerctl import: line %s refused (%s): %s\n",
                   answer.correlation_id().c_str(),
                   absl::StatusCodeToString(static_cast<absl::StatusCode>(answer.refused().code()))
                       .c_str(),
                   answer.refused().message().c_str());
    } else if (answer.appended().already_appended()) {
      ++already;
    } else {
      ++appended;
      events += answer.appended().positions_size();
    }
    const uint64_t answered = appended + already + refused;
    if (answered % 10000 == 0) {
      std::fprintf(stderr, "  ... %llu of %zu answered\n",
                   static_cast<unsigned long long>(answered), requests.size());
    }
  }
  writer.join();
  grpc::Status status = call->Finish();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("%llu appends (%llu events) written, %llu already there, %llu refused, of %zu, "
              "in %.1f s\n",
              static_cast<unsigned long long>(appended), static_cast<unsigned long long>(events),
              static_cast<unsigned long long>(already), static_cast<unsigned long long>(refused),
              requests.size(), seconds);
  if (!status.ok()) return Report(status, options);
  if (appended + already + refused != requests.size()) {
    std::fprintf(stderr, "ledgerctl import: the call ended before every append was answered; "
                         "run it again (appends are idempotent by event id when ids are given)\n");
    return kExitFailed;
  }
  return refused == 0 ? kExitOk : kExitFailed;
}

}  // namespace ctl
