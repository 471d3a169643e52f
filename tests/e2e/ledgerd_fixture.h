// The fixture of the end-to-end tests: a real ledgerd on a free loopback port in local mode
// (plain text on loopback, its own local credentials), a data directory of its own, and
// ledgerctl run as a user would, with the local operator's token.
#ifndef ENGAGEMENT_TESTS_E2E_LEDGERD_FIXTURE_H_
#define ENGAGEMENT_TESTS_E2E_LEDGERD_FIXTURE_H_

#include <grpcpp/grpcpp.h>

#include "engagement/v1/ledger_service.grpc.pb.h"
#include "services/client_channel.h"
#include "gtest/gtest.h"
#include "tests/e2e/process.h"
#include "tests/test_support.h"

namespace e2e {

using engagement::v1::LedgerService;

// The origin line (the signing key's name) of the checkpoints LedgerdTest::StartSigningLedgerd
// signs.
inline constexpr char kSigningOrigin[] = "test.example/engagement-ledger";

// Each test gets its own port and data directory; ledgerd is started by StartLedgerd().
class LedgerdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = e2e::FreePort();
    address_ = absl::StrCat("127.0.0.1:", port_);
    data_ = dir_.Sub("data");
    log_ = dir_.Sub("ledgerd.log");
  }

  // Starts ledgerd in local mode (with `extra_flags`) and waits until it answers.
  std::unique_ptr<e2e::Process> StartLedgerd(const std::vector<std::string>& extra_flags = {}) {
    std::vector<std::string> argv = {LEDGERD_PATH, "--listen=" + address_, "--data_dir=" + data_,
                                     "--insecure_local"};
    argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
    auto process = std::make_unique<e2e::Process>(argv, log_);
    EXPECT_TRUE(process->started());
    // A fresh channel with short reconnect backoff, so a server that is still starting is
    // found as soon as it listens.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
    // Until it answers, it exits, or 60 s pass (the machine may be busy with other tests). Each
    // call waits for the channel to connect rather than failing fast while it backs off.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::unique_ptr<LedgerService::Stub> stub;
    while (std::chrono::steady_clock::now() < give_up) {
      if (stub == nullptr) {
        // The token exists once ledgerd has made its local credentials.
        std::string token = Token();
        if (token.empty()) {
          if (process->WaitFor(std::chrono::milliseconds(50))) break;
          continue;
        }
        stub = LedgerService::NewStub(Channel(args, token));
      }
      grpc::ClientContext context;
      context.set_wait_for_ready(true);
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
      engagement::v1::GetLedgerInfoResponse info;
      if (stub->GetLedgerInfo(&context, {}, &info).ok()) return process;
      if (process->WaitFor(std::chrono::milliseconds(50))) break;
    }
    ADD_FAILURE() << "ledgerd did not start"
                  << (process->running() ? "" : absl::StrCat(" (it exited: ", process->Wait(), ")"))
                  << "; its log:\n"
                  << e2e::Run("cat " + log_).output;
    return process;
  }

  // ledgerd signing checkpoints with key_file_ (in the test's directory, created on first start),
  // only when asked, at start and at stop.
  std::unique_ptr<e2e::Process> StartSigningLedgerd() {
    key_file_ = dir_.Sub("checkpoint.key");
    return StartLedgerd({"--checkpoint_key=" + key_file_,
                         std::string("--checkpoint_origin=") + kSigningOrigin,
                         "--checkpoint_interval_seconds=3600"});
  }

  // Appends `events` to the test engagement's stream; the test fails if it is refused.
  void Append(std::vector<engagement::v1::Event> events) {
    engagement::v1::AppendEventsRequest request;
    request.set_stream("engagement-" + testing_support::TestEngagement());
    request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
    for (auto& e : events) *request.add_events() = std::move(e);
    grpc::ClientContext context;
    engagement::v1::AppendEventsResponse response;
    grpc::Status status = Stub()->AppendEvents(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // The token local mode issued to `name` ("operator" or "privacy-officer"); empty if none yet.
  std::string TokenFile(const std::string& name = "operator") const {
    return absl::StrCat(data_, "/local/", name, ".token");
  }
  std::string Token(const std::string& name = "operator") const {
    absl::StatusOr<std::string> token = services::ReadTokenFile(TokenFile(name));
    return token.ok() ? *token : "";
  }

  // A channel to ledgerd carrying `token` (the operator's by default).
  std::shared_ptr<grpc::Channel> Channel(const grpc::ChannelArguments& args = {},
                                         std::string token = "") {
    services::ClientCredentials credentials;
    credentials.token = token.empty() ? Token() : token;
    return *services::MakeChannel(address_, credentials, args);
  }

  std::unique_ptr<LedgerService::Stub> Stub() { return LedgerService::NewStub(Channel()); }

  // ledgerctl with the operator's token.
  e2e::CommandResult Ctl(const std::string& args) {
    return e2e::Run(
        absl::StrCat(LEDGERCTL_PATH, " --server=", address_, " --token_file=", TokenFile(), " ", args));
  }

  testing_support::TempDir dir_;
  int port_ = 0;
  std::string address_, data_, log_;
  std::string key_file_;  // set by StartSigningLedgerd
};

}  // namespace e2e

#endif  // ENGAGEMENT_TESTS_E2E_LEDGERD_FIXTURE_H_
