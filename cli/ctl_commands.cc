#include "cli/ctl_commands.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "ledger/canonical_record.h"
#include "ledger/chain_verifier.h"
#include "domain/engagement_rules.h"
#include "ledger/directory_verifier.h"
#include "ledger/uuid.h"
#include "ledger/hash_chain.h"
#include "cli/ctl_audit.h"

namespace ctl {

const char* StatusCodeName(grpc::StatusCode code);

using engagement::v1::LedgerService;

std::shared_ptr<grpc::Channel> Channel(const std::string& server,
                                      const services::ClientCredentials& credentials) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      services::MakeChannel(server, credentials, args);
  if (!channel.ok()) {
    // The files were checked when the options were read; this is a last resort.
    std::fprintf(stderr, "ledgerctl: %s\n", std::string(channel.status().message()).c_str());
    std::exit(kExitUsage);
  }
  return *channel;
}

std::unique_ptr<LedgerService::Stub> Connect(const Options& options) {
  return LedgerService::NewStub(Channel(options));
}

void SetDeadline(grpc::ClientContext* context, const Options& options) {
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(options.timeout_seconds));
}

// Reports a failed call; returns the exit code it deserves.
int Report(const grpc::Status& status, const Options& options) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    std::fprintf(stderr, "ledgerctl: cannot reach ledgerd at %s: %s\n", options.server.c_str(),
                 status.error_message().c_str());
    return kExitUnreachable;
  }
  std::fprintf(stderr, "ledgerctl: %s: %s\n", StatusCodeName(status.error_code()),
               status.error_message().c_str());
  return kExitFailed;
}

namespace {

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, print);
  return out;
}

bool ParseExpected(const std::string& text, engagement::v1::ExpectedRevision* out) {
  if (text == "any") {
    out->set_state(engagement::v1::EXPECTED_STATE_ANY);
  } else if (text == "no-stream") {
    out->set_state(engagement::v1::EXPECTED_STATE_NO_STREAM);
  } else if (text == "exists") {
    out->set_state(engagement::v1::EXPECTED_STATE_STREAM_EXISTS);
  } else {
    uint64_t revision = 0;
    if (!absl::SimpleAtoi(text, &revision)) return false;
    out->set_revision(revision);
  }
  return true;
}

engagement::v1::LogFilter MakeFilter(const Options& options) {
  engagement::v1::LogFilter filter;
  for (const auto& t : options.types) filter.add_event_types(t);
  for (const auto& o : options.organisations) filter.add_organisations(o);
  for (const auto& p : options.prefixes) filter.add_stream_prefixes(p);
  return filter;
}

}  // namespace

int Append(const Options& options) {
  engagement::v1::AppendEventsRequest request;
  if (options.stream.empty()) {
    std::fprintf(stderr, "ledgerctl append: --stream is required\n");
    return kExitUsage;
  }
  request.set_stream(options.stream);
  if (!ParseExpected(options.expected, request.mutable_expected())) {
    std::fprintf(stderr, "ledgerctl append: --expected must be any, no-stream, exists or a number\n");
    return kExitUsage;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (options.file != "-") {
    file.open(options.file);
    if (!file) {
      std::fprintf(stderr, "ledgerctl append: cannot open %s\n", options.file.c_str());
      return kExitUsage;
    }
    in = &file;
  }
  std::string line;
  int line_number = 0;
  while (std::getline(*in, line)) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto parsed = google::protobuf::util::JsonStringToMessage(line, request.add_events());
    if (!parsed.ok()) {
      std::fprintf(stderr, "ledgerctl append: line %d is not an Event in protobuf JSON: %s\n",
                   line_number, parsed.ToString().c_str());
      return kExitUsage;
    }
  }
  if (request.events_size() == 0) {
    std::fprintf(stderr, "ledgerctl append: no events in the input\n");
    return kExitUsage;
  }
  auto stub = Connect(options);
  grpc::ClientContext context;
  SetDeadline(&context, options);
  engagement::v1::AppendEventsResponse response;
  grpc::Status status = stub->AppendEvents(&context, request, &response);
  if (!status.ok()) return Report(status, options);
  std::printf("%s\n", ToJson(response).c_str());
  return kExitOk;
}

int Read(const Options& options) {
  auto stub = Connect(options);
  grpc::ClientContext context;
  grpc::Status status;
  if (!options.stream.empty()) {
    engagement::v1::ReadStreamRequest request;
    request.set_stream(options.stream);
    request.set_from_revision(options.from);
    request.set_limit(options.limit);
    if (options.backwards) {
      request.set_direction(engagement::v1::READ_DIRECTION_BACKWARDS);
      request.set_from_end(options.from == 0);
    }
    auto reader = stub->ReadStream(&context, request);
    engagement::v1::ReadStreamResponse message;
    while (reader->Read(&message)) std::printf("%s\n", ToJson(message.event()).c_str());
    status = reader->Finish();
  } else {
    engagement::v1::ReadLogRequest request;
    request.set_from_position(options.from);
    request.set_limit(options.limit);
    *request.mutable_filter() = MakeFilter(options);
    auto reader = stub->ReadLog(&context, request);
    engagement::v1::ReadLogResponse message;
    while (reader->Read(&message)) std::printf("%s\n", ToJson(message.event()).c_str());
    status = reader->Finish();
  }
  if (!status.ok()) return Report(status, options);
  return kExitOk;
}

int Tail(const Options& options) {
  auto stub = Connect(options);
  grpc::ClientContext context;
  engagement::v1::SubscribeLogRequest request;
  request.set_from_position(options.from == 0 ? 0 : options.from);
  *request.mutable_filter() = MakeFilter(options);
  auto reader = stub->SubscribeLog(&context, request);
  engagement::v1::SubscribeLogResponse message;
  while (reader->Read(&message)) {
    if (message.has_event()) {
      std::printf("%s\n", ToJson(message.event()).c_str());
    } else {
      std::fprintf(stderr, "ledgerctl tail: caught up at position %llu; following live\n",
                   static_cast<unsigned long long>(message.caught_up().head_position()));
    }
    std::fflush(stdout);
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) return Report(status, options);
  return kExitOk;
}

int Info(const Options& options) {
  auto stub = Connect(options);
  grpc::ClientContext context;
  SetDeadline(&context, options);
  grpc::Status status;
  if (!options.stream.empty()) {
    engagement::v1::GetStreamInfoRequest request;
    request.set_stream(options.stream);
    engagement::v1::GetStreamInfoResponse response;
    status = stub->GetStreamInfo(&context, request, &response);
    if (status.ok()) std::printf("%s\n", ToJson(response).c_str());
  } else {
    engagement::v1::GetLedgerInfoResponse response;
    status = stub->GetLedgerInfo(&context, engagement::v1::GetLedgerInfoRequest(), &response);
    if (status.ok()) {
      std::printf("head position: %llu\nhead hash:     %s\nevents:        %llu\nstreams:       %llu\n",
                  static_cast<unsigned long long>(response.head_position()),
                  ledger::ToHex(response.head_hash()).c_str(),
                  static_cast<unsigned long long>(response.event_count()),
                  static_cast<unsigned long long>(response.stream_count()));
      if (response.has_replication()) {
        const engagement::v1::ReplicationInfo& replication = response.replication();
        std::printf("node:          %s (%s)\nleader:        %s\nstream:        message %llu "
                    "applied of %llu\n",
                    replication.node_id().c_str(), replication.leading() ? "leading" : "following",
                    replication.leader_id().empty() ? "none at the moment"
                                                    : replication.leader_id().c_str(),
                    static_cast<unsigned long long>(replication.applied_sequence()),
                    static_cast<unsigned long long>(replication.stream_last_sequence()));
      }
    }
  }
  if (!status.ok()) return Report(status, options);
  return kExitOk;
}

namespace {

int VerifyOffline(const Options& options) {
  absl::Time start = absl::Now();
  // A ledgerd data directory keeps the log in log/; a bare log directory works too.
  std::string directory = options.data_dir;
  if (std::filesystem::exists(std::filesystem::path(directory) / "log" / "CURRENT")) {
    directory += "/log";
  }
  ledger::DirectoryVerifyOptions verify_options;
  verify_options.progress = [](uint64_t n) {
    std::fprintf(stderr, "  ... %llu events verified\n", static_cast<unsigned long long>(n));
  };
  // The key for the stored checkpoints' signatures (ctl_audit.h): the auditor's, else the one
  // beside the data.
  if (int code = CheckGivenVerifierKey(options); code != kExitOk) return code;
  verify_options.verifier_key = options.verifier_key;
  const std::string data_key = (std::filesystem::path(options.data_dir) / "checkpoint.key").string();
  if (options.verifier_key.empty() && std::filesystem::exists(data_key)) {
    verify_options.key_file = data_key;
  }
  ledger::WitnessPolicy witnesses;
  if (int code = ParseWitnessPolicy(options, &witnesses); code != kExitOk) return code;
  if (!witnesses.empty()) verify_options.witnesses = &witnesses;
  // The engagement rules' stored state, rebuilt from the records beside a scratch copy.
  domain::EngagementRules rules;
  verify_options.guard = &rules;
  verify_options.scratch_directory =
      (std::filesystem::temp_directory_path() / ("ledgerctl-verify-" + ledger::NewUuid())).string();
  absl::StatusOr<ledger::DirectoryVerifyResult> verified =
      ledger::VerifyDataDirectory(directory, verify_options);
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!verified.ok()) {
    if (absl::IsDataLoss(verified.status())) {
      std::printf("FAILED: %s\n", std::string(verified.status().message()).c_str());
      return kExitVerifyFailed;
    }
    std::fprintf(stderr, "ledgerctl verify: %s\n", std::string(verified.status().message()).c_str());
    if (absl::IsFailedPrecondition(verified.status()) && options.verifier_key.empty()) {
      std::fprintf(stderr, "  pass --verifier_key=K, the ledger's verifier key obtained from a source "
                   "you trust (`ledgerctl audit pubkey` prints it; no %s was found to fall back "
                   "on)\n", data_key.c_str());
    }
    return kExitFailed;
  }
  std::string checkpoints =
      verified->checkpoints == 0
          ? std::string(" (no checkpoint is stored)")
          : absl::StrCat(" and the roots of ", verified->checkpoints,
                         " stored checkpoints and their signatures by ",
                         options.verifier_key.empty()
                             ? absl::StrCat("the data directory's own key (", data_key, ")")
                             : "the given verifier key");
  std::printf("OK: %llu events in %s: every record re-hashed from its stored bytes, the chain "
              "is whole, the recomputed Merkle tree matches the stored tree%s, and the stream "
              "index ends where the log does (%.2f s, %.0f events/s)\n",
              static_cast<unsigned long long>(verified->events), options.data_dir.c_str(),
              checkpoints.c_str(), seconds, seconds > 0 ? verified->events / seconds : 0.0);
  if (!verified->verifier_key.empty()) {
    std::printf("  signatures checked against %s\n", verified->verifier_key.c_str());
  }
  if (verified->checkpoints > 0 && options.verifier_key.empty()) {
    std::printf("%s\n", kDataKeyWarning);
  }
  if (!witnesses.empty()) {
    std::vector<std::string> who;
    for (const ledger::WitnessedBy& w : verified->witnessed_by) who.push_back(w.witness);
    std::printf("witnesses: OK, the newest checkpoint (%llu events) is cosigned by %s (policy: "
                "%s)\n",
                static_cast<unsigned long long>(verified->newest_checkpoint),
                absl::StrJoin(who, ", ").c_str(), witnesses.Describe().c_str());
  }
  return kExitOk;
}

int VerifyOnline(const Options& options) {
  auto stub = Connect(options);
  absl::Time start = absl::Now();
  // The latest signed checkpoint first, so that its tree size is at most the head read next.
  CheckpointVerification checkpoints(options);
  if (int code = checkpoints.Begin(); code >= 0) return code;
  engagement::v1::GetLedgerInfoResponse info;
  {
    grpc::ClientContext context;
    SetDeadline(&context, options);
    grpc::Status status =
        stub->GetLedgerInfo(&context, engagement::v1::GetLedgerInfoRequest(), &info);
    if (!status.ok()) return Report(status, options);
  }
  ledger::ChainVerifier verifier;
  grpc::ClientContext context;
  engagement::v1::ReadLogRequest request;
  request.set_from_position(1);
  request.set_limit(info.head_position());
  request.set_include_canonical_record(true);
  auto reader = stub->ReadLog(&context, request);
  engagement::v1::ReadLogResponse message;
  absl::Status result;
  while (result.ok() && reader->Read(&message)) {
    result = verifier.Add(message.event().position(), message.event().hash(),
                          message.canonical_record());
    if (result.ok()) {
      // The event the server shows must be the event the hash covers.
      absl::StatusOr<engagement::v1::Event> stored =
          ledger::DecodeCanonicalRecord(message.canonical_record());
      if (!stored.ok()) {
        result = absl::DataLossError(absl::StrCat("position ", message.event().position(), ": ",
                                                  stored.status().message()));
      } else {
        stored->set_hash(message.event().hash());
        if (!google::protobuf::util::MessageDifferencer::Equals(*stored, message.event())) {
          result = absl::DataLossError(absl::StrCat(
              "position ", message.event().position(), ": the event served differs from its stored bytes"));
        }
      }
    }
    if (result.ok()) checkpoints.Add(message.canonical_record());
  }
  if (result.ok()) {
    grpc::Status status = reader->Finish();
    if (!status.ok()) return Report(status, options);
    result = verifier.Finish(info.head_position(), info.head_hash());
  } else {
    context.TryCancel();
  }
  std::vector<std::string> lines;
  if (result.ok()) result = checkpoints.Finish(&lines);
  if (!result.ok()) {
    std::printf("FAILED: %s\n", std::string(result.message()).c_str());
    return kExitVerifyFailed;
  }
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  std::printf("OK: %llu events from %s re-hashed client-side; head hash %s (%.2f s)\n",
              static_cast<unsigned long long>(verifier.verified()), options.server.c_str(),
              ledger::ToHex(verifier.last_hash()).c_str(), seconds);
  for (const std::string& line : lines) std::printf("%s\n", line.c_str());
  if (options.witness_keys.empty()) return kExitOk;
  if (checkpoints.latest_note() == nullptr) {
    std::printf("FAILED: no signed checkpoint, so none cosigned by the witnesses given\n");
    return kExitVerifyFailed;
  }
  return CheckWitnesses(options, *checkpoints.latest_note());
}

}  // namespace

int Verify(const Options& options) {
  if (!options.data_dir.empty() && !options.checkpoint_file.empty()) {
    std::fprintf(stderr, "ledgerctl verify: --checkpoint checks a server's history against a "
                 "checkpoint you saved; with --data_dir, use it against the server "
                 "(docs/audit.md)\n");
    return kExitUsage;
  }
  return options.data_dir.empty() ? VerifyOnline(options) : VerifyOffline(options);
}

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    default: return "ERROR";
  }
}

}  // namespace ctl
