// Witnesses against the real binaries: ledgerd gives each checkpoint to a real witnessd over HTTP
// on loopback, keeps and serves its cosignatures, and every checker can require them; a history
// rewritten on disk with its later checkpoints deleted (which verify alone passes) is refused at
// start, and a forked ledger is caught by the witness at its next checkpoint and stops signing.
#include <csignal>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "engagement/v1/audit.grpc.pb.h"
#include "engagement/v1/operations.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "tests/e2e/ledgerd_fixture.h"
#include "tests/history_rewrite.h"

namespace {

constexpr char kWitnessName[] = "witness.test/w1";

class WitnessE2eTest : public e2e::LedgerdTest {
 protected:
  void SetUp() override {
    LedgerdTest::SetUp();
    // The ledger's key exists first, so that the witness can be told it.
    key_file_ = dir_.Sub("checkpoint.key");
    ASSERT_EQ(e2e::Run("openssl genpkey -algorithm ed25519 -out " + key_file_).exit_code, 0);
    ledger_key_ = Line(e2e::Run(absl::StrCat(LEDGERCTL_PATH, " audit pubkey --key_file=", key_file_,
                                             " --origin=", e2e::kSigningOrigin)));
    witness_key_ = Line(e2e::Run(absl::StrCat(WITNESSD_PATH, " --generate_key --key_file=",
                                              dir_.Sub("witness.key"), " --name=", kWitnessName)));
    ASSERT_NE(witness_key_.find(kWitnessName), std::string::npos) << witness_key_;
    StartWitness();
    witnesses_file_ = dir_.Sub("witnesses.txt");
    std::ofstream(witnesses_file_) << "# the test's witness\n"
                                   << witness_key_ << " http://127.0.0.1:" << witness_port_ << "\n";
  }

  static std::string Line(const e2e::CommandResult& result) {
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return std::string(absl::StripAsciiWhitespace(result.output));
  }

  void StartWitness() {
    witness_port_ = e2e::FreePort();
    witness_ = std::make_unique<e2e::Process>(
        std::vector<std::string>{WITNESSD_PATH, std::string("--name=") + kWitnessName,
                                 "--key_file=" + dir_.Sub("witness.key"),
                                 "--state_dir=" + dir_.Sub("witness-state"),
                                 "--log_keys=" + ledger_key_,
                                 absl::StrCat("--listen=127.0.0.1:", witness_port_)},
        dir_.Sub("witnessd.log"));
    // Until it listens (it says so in its log), or 20 s.
    for (int i = 0; i < 200; ++i) {
      if (e2e::Run("cat " + dir_.Sub("witnessd.log")).output.find("serving") != std::string::npos) {
        return;
      }
      ASSERT_FALSE(witness_->WaitFor(std::chrono::milliseconds(100))) << "witnessd exited";
    }
    FAIL() << "witnessd did not start";
  }

  std::unique_ptr<e2e::Process> StartWitnessedLedgerd() {
    return StartLedgerd({"--checkpoint_key=" + key_file_,
                         std::string("--checkpoint_origin=") + e2e::kSigningOrigin,
                         "--checkpoint_interval_seconds=3600", "--witnesses=" + witnesses_file_});
  }

  // Asks ledgerd to sign its head now; the checkpoint it answers.
  engagement::v1::SignedCheckpoint SignNow() {
    auto audit = engagement::v1::AuditService::NewStub(Channel());
    grpc::ClientContext context;
    engagement::v1::SignCheckpointResponse response;
    grpc::Status status = audit->SignCheckpoint(&context, {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.checkpoint();
  }

  engagement::v1::GetHealthResponse Health() {
    auto operations = engagement::v1::OperationsService::NewStub(Channel());
    grpc::ClientContext context;
    engagement::v1::GetHealthResponse response;
    EXPECT_TRUE(operations->GetHealth(&context, {}, &response).ok());
    return response;
  }

  void Stop(std::unique_ptr<e2e::Process>& ledgerd) {
    ledgerd->Signal(SIGTERM);
    ASSERT_TRUE(ledgerd->WaitFor(std::chrono::seconds(30)));
    ledgerd.reset();
  }

  std::string ledger_key_, witness_key_, witnesses_file_;
  int witness_port_ = 0;
  std::unique_ptr<e2e::Process> witness_;
};

TEST_F(WitnessE2eTest, EachCheckpointIsCosignedAndEveryCheckerCanRequireIt) {
  auto ledgerd = StartWitnessedLedgerd();
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(3));
  engagement::v1::SignedCheckpoint signed_now = SignNow();
  EXPECT_EQ(signed_now.tree_size(), 4u);
  EXPECT_NE(signed_now.note().find(absl::StrCat("\xE2\x80\x94 ", kWitnessName, " ")),
            std::string::npos)
      << signed_now.note();
  engagement::v1::GetHealthResponse health = Health();
  EXPECT_TRUE(health.serving());
  ASSERT_EQ(health.witnesses_size(), 1);
  EXPECT_EQ(health.witnesses(0).cosigned_size(), 4u);
  EXPECT_EQ(health.witnesses(0).last_error(), "");

  const std::string policy = absl::StrCat("--verifier_key=", ledger_key_, " --witness_key=", witness_key_);
  auto checkpoint = Ctl("audit checkpoint " + policy);
  EXPECT_EQ(checkpoint.exit_code, 0) << checkpoint.output;
  EXPECT_NE(checkpoint.output.find(absl::StrCat("witnesses: OK, cosigned by 1 (policy: 1 of 1 "
                                                "witness (", kWitnessName, "))")),
            std::string::npos)
      << checkpoint.output;
  auto online = Ctl("verify " + policy);
  EXPECT_EQ(online.exit_code, 0) << online.output;
  EXPECT_NE(online.output.find("witnesses: OK"), std::string::npos) << online.output;
  // A policy the checkpoint does not meet: two witnesses required, one never asked.
  const std::string other = Line(e2e::Run(absl::StrCat(
      WITNESSD_PATH, " --generate_key --key_file=", dir_.Sub("other.key"), " --name=witness.test/w2")));
  auto short_of_quorum = Ctl(absl::StrCat("verify --verifier_key=", ledger_key_, " --witness_key=",
                                          witness_key_, ",", other, " --witness_quorum=2"));
  EXPECT_EQ(short_of_quorum.exit_code, 3) << short_of_quorum.output;
  EXPECT_NE(short_of_quorum.output.find("missing: witness.test/w2"), std::string::npos)
      << short_of_quorum.output;
  // An audit bundle carries the cosignature and is checked with the policy.
  auto exported = Ctl(absl::StrCat("audit export --from_position=1 --out=", dir_.Sub("bundle"),
                                   " --verifier_key=", ledger_key_));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  auto checked = Ctl(absl::StrCat("audit check ", dir_.Sub("bundle"), " ", policy));
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_NE(checked.output.find("witnesses: OK"), std::string::npos) << checked.output;
  EXPECT_NE(e2e::Run("cat " + dir_.Sub("bundle/manifest.json")).output.find(kWitnessName),
            std::string::npos);
  // The replay of a report checks the covering checkpoint's cosignatures too.
  auto replay = Ctl(absl::StrCat("replay --org=QWE --as_of=4 ", policy));
  EXPECT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_NE(replay.output.find("witnesses: OK"), std::string::npos) << replay.output;

  // Offline, with the ledger stopped.
  Stop(ledgerd);
  auto offline = e2e::Run(absl::StrCat(LEDGERCTL_PATH, " verify --data_dir=", data_, " ", policy));
  EXPECT_EQ(offline.exit_code, 0) << offline.output;
  EXPECT_NE(offline.output.find(absl::StrCat("is cosigned by ", kWitnessName)), std::string::npos)
      << offline.output;
}

TEST_F(WitnessE2eTest, ARewriteWithItsLaterCheckpointsDeletedIsRefusedAtStart) {
  auto ledgerd = StartWitnessedLedgerd();
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(3));
  ASSERT_EQ(SignNow().tree_size(), 4u);
  Append(testing_support::Sessions(3));
  ASSERT_EQ(SignNow().tree_size(), 7u);
  Stop(ledgerd);
  // From position 5 on, consistently re-chained and re-treed, checkpoints 5 and later deleted.
  testing_support::RewriteHistory(data_ + "/log", 5,
                                  [](engagement::v1::Event* e) { e->set_actor("someone-else"); },
                                  /*drop_checkpoints=*/true);
  // The directory agrees with itself, and with the ledger's key: offline verify alone passes.
  auto verified = e2e::Run(absl::StrCat(LEDGERCTL_PATH, " verify --data_dir=", data_,
                                        " --verifier_key=", ledger_key_));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  // The witness has cosigned 7 events; the newest checkpoint left is of 4: ledgerd will not start.
  auto refused = std::make_unique<e2e::Process>(
      std::vector<std::string>{LEDGERD_PATH, "--listen=" + address_, "--data_dir=" + data_,
                               "--insecure_local", "--checkpoint_key=" + key_file_,
                               std::string("--checkpoint_origin=") + e2e::kSigningOrigin,
                               "--witnesses=" + witnesses_file_},
      log_);
  ASSERT_TRUE(refused->WaitFor(std::chrono::seconds(30)));
  EXPECT_NE(refused->Wait(), 0);
  std::string log = e2e::Run("cat " + log_).output;
  EXPECT_NE(log.find("has cosigned a tree of size 7, larger than this ledger's checkpoint of size 4"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("will not sign over the gap"), std::string::npos) << log;
}

TEST_F(WitnessE2eTest, AForkedLedgerIsCaughtAtItsNextCheckpointAndStopsSigning) {
  auto first = StartWitnessedLedgerd();
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(3));
  ASSERT_EQ(SignNow().tree_size(), 4u);
  Stop(first);
  // A copy of the data directory served at the same time, with the same key: a fork.
  const std::string original_data = data_, original_address = address_, original_log = log_;
  std::filesystem::copy(original_data, dir_.Sub("fork"), std::filesystem::copy_options::recursive);
  data_ = dir_.Sub("fork");
  address_ = absl::StrCat("127.0.0.1:", e2e::FreePort());
  log_ = dir_.Sub("fork.log");
  auto fork = StartWitnessedLedgerd();  // the witness has 4, as the fork does: it starts
  const std::string fork_address = address_;
  // The original goes on and its checkpoint of 7 is cosigned.
  data_ = original_data;
  address_ = original_address;
  log_ = original_log;
  auto original = StartWitnessedLedgerd();
  Append(testing_support::Sessions(3));
  ASSERT_EQ(SignNow().tree_size(), 7u);
  // The fork appends other events; the witness refuses its next checkpoint.
  data_ = dir_.Sub("fork");
  address_ = fork_address;
  Append(testing_support::Sessions(5));
  SignNow();
  engagement::v1::GetHealthResponse health = Health();
  EXPECT_FALSE(health.serving());
  ASSERT_EQ(health.problems_size(), 1);
  EXPECT_EQ(health.problems(0).source(), absl::StrCat("witness ", kWitnessName));
  EXPECT_NE(health.problems(0).message().find("not consistent with the tree of size 7"),
            std::string::npos)
      << health.problems(0).message();
  auto said = Ctl("health");
  EXPECT_EQ(said.exit_code, 1) << said.output;
  EXPECT_NE(said.output.find("checkpoint signing is halted"), std::string::npos) << said.output;
  // Signing stays stopped.
  Append(testing_support::Sessions(1));
  auto audit = engagement::v1::AuditService::NewStub(Channel());
  grpc::ClientContext context;
  engagement::v1::SignCheckpointResponse response;
  grpc::Status refused = audit->SignCheckpoint(&context, {}, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.error_message();
  EXPECT_NE(refused.error_message().find("halted"), std::string::npos) << refused.error_message();
}

}  // namespace
