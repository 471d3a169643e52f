// The auditor's tools against a real ledgerd that signs checkpoints: the verifier key, a saved
// checkpoint that later proves the log only grew (and catches a log that did not), audit bundles
// checked with the server gone and caught when tampered with, and a decision's evidence pack
// without the participants' records.
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle_tree.h"
#include "tests/e2e/ledgerd_fixture.h"

namespace {

constexpr char kOrigin[] = "test.example/engagement-ledger";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

class AuditTest : public e2e::LedgerdTest {
 protected:
  // ledgerd signing checkpoints with a key in the test's directory (created on first start).
  std::unique_ptr<e2e::Process> StartSigningLedgerd() {
    key_file_ = dir_.Sub("checkpoint.key");
    return StartLedgerd({"--checkpoint_key=" + key_file_,
                         std::string("--checkpoint_origin=") + kOrigin,
                         "--checkpoint_interval_seconds=3600"});
  }

  // Appends `events` to the test engagement's stream.
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

  std::string VerifierKey() {
    auto key = Ctl("audit pubkey");
    EXPECT_EQ(key.exit_code, 0) << key.output;
    return std::string(absl::StripAsciiWhitespace(key.output));
  }

  std::string key_file_;
};

TEST_F(AuditTest, SavedCheckpointProvesTheLogOnlyGrew) {
  auto ledgerd = StartSigningLedgerd();
  const std::string key = VerifierKey();
  EXPECT_EQ(key.rfind(std::string(kOrigin) + "+", 0), 0u) << key;
  auto offline = Ctl(absl::StrCat("audit pubkey --key_file=", key_file_, " --origin=", kOrigin));
  EXPECT_EQ(offline.exit_code, 0) << offline.output;
  EXPECT_EQ(absl::StripAsciiWhitespace(offline.output), key);

  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(3));
  const std::string saved = dir_.Sub("checkpoint-4.note");
  auto checkpoint = Ctl(absl::StrCat("audit checkpoint --verifier_key=", key, " --save=", saved));
  ASSERT_EQ(checkpoint.exit_code, 0) << checkpoint.output;
  EXPECT_NE(checkpoint.output.find("tree size: 4"), std::string::npos) << checkpoint.output;
  EXPECT_NE(checkpoint.output.find("signature: OK"), std::string::npos) << checkpoint.output;
  EXPECT_EQ(checkpoint.output.find("WARNING"), std::string::npos) << checkpoint.output;
  EXPECT_EQ(ReadFile(saved).rfind(absl::StrCat(kOrigin, "\n4\n"), 0), 0u) << ReadFile(saved);
  auto trusting = Ctl("audit checkpoint");
  EXPECT_EQ(trusting.exit_code, 0) << trusting.output;
  EXPECT_NE(trusting.output.find("trusts the server for the key"), std::string::npos);

  Append(testing_support::Sessions(5));
  auto verify = Ctl(absl::StrCat("verify --verifier_key=", key, " --checkpoint=", saved));
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("OK: 9 events"), std::string::npos) << verify.output;
  EXPECT_NE(verify.output.find("checkpoint: tree size 9"), std::string::npos) << verify.output;
  EXPECT_NE(verify.output.find("consistency: the saved checkpoint"), std::string::npos)
      << verify.output;
  auto plain = Ctl("verify");
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  EXPECT_NE(plain.output.find("trusts the server for the key"), std::string::npos) << plain.output;

  // Checkpoints genuinely signed with the ledger's key that the log no longer agrees with: as
  // if history had been rewritten after they were handed out.
  auto signer = ledger::CheckpointSigner::Load(key_file_, kOrigin);
  ASSERT_TRUE(signer.ok()) << signer.status();
  const std::string other_root = ledger::MerkleLeafHash("another history");
  for (uint64_t size : {uint64_t{4}, uint64_t{100}}) {
    const std::string forged = dir_.Sub(absl::StrCat("rewritten-", size, ".note"));
    WriteFile(forged, *signer->Sign({kOrigin, size, other_root, {}}));
    auto caught = Ctl(absl::StrCat("verify --verifier_key=", key, " --checkpoint=", forged));
    EXPECT_EQ(caught.exit_code, 3) << caught.output;
    EXPECT_NE(caught.output.find("the log has been rewritten since that checkpoint"),
              std::string::npos)
        << caught.output;
  }
  // A checkpoint signed by another key is not the ledger's.
  const std::string other_key = dir_.Sub("other.key");
  ASSERT_TRUE(ledger::CheckpointSigner::GenerateKeyFile(other_key).ok());
  const std::string foreign = dir_.Sub("foreign.note");
  auto other = ledger::CheckpointSigner::Load(other_key, kOrigin);
  ASSERT_TRUE(other.ok());
  WriteFile(foreign, *other->Sign({kOrigin, 4, other_root, {}}));
  auto refused = Ctl(absl::StrCat("verify --verifier_key=", key, " --checkpoint=", foreign));
  EXPECT_EQ(refused.exit_code, 3) << refused.output;
  EXPECT_NE(refused.output.find("is not a checkpoint signed by"), std::string::npos) << refused.output;
  // Checked against a key that is not the server's, the server's checkpoint fails.
  auto wrong_key = Ctl("verify --verifier_key=" + other->VerifierKey());
  EXPECT_EQ(wrong_key.exit_code, 3) << wrong_key.output;

  // Offline, over the data directory of the running ledger: every stored checkpoint's signature
  // is checked with the key the auditor trusts.
  auto offline_verify = Ctl(absl::StrCat("verify --data_dir=", data_, " --verifier_key=", key));
  EXPECT_EQ(offline_verify.exit_code, 0) << offline_verify.output;
  EXPECT_NE(offline_verify.output.find("and their signatures by the given verifier key"),
            std::string::npos)
      << offline_verify.output;
  auto offline_wrong =
      Ctl(absl::StrCat("verify --data_dir=", data_, " --verifier_key=", other->VerifierKey()));
  EXPECT_EQ(offline_wrong.exit_code, 3) << offline_wrong.output;
  EXPECT_NE(offline_wrong.output.find("is not signed by the given verifier key"), std::string::npos)
      << offline_wrong.output;
}

TEST_F(AuditTest, BundleChecksWithNoServerAndCatchesTampering) {
  auto ledgerd = StartSigningLedgerd();
  const std::string key = VerifierKey();
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(5));
  const std::string bundle = dir_.Sub("bundle");
  auto exported = Ctl(absl::StrCat("audit export --from_position=2 --to_position=5 --out=", bundle,
                                   " --verifier_key=", key));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("4 events"), std::string::npos) << exported.output;
  auto again = Ctl(absl::StrCat("audit export --from_position=1 --out=", bundle));
  EXPECT_EQ(again.exit_code, 1) << again.output;  // never over another bundle

  ledgerd->Signal(SIGTERM);
  ASSERT_TRUE(ledgerd->WaitFor(std::chrono::seconds(30)));
  auto checked = Ctl(absl::StrCat("audit check ", bundle, " --verifier_key=", key));
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_NE(checked.output.find("4 events (positions 2 to 5)"), std::string::npos) << checked.output;
  auto own_key = Ctl("audit check " + bundle);
  EXPECT_EQ(own_key.exit_code, 0) << own_key.output;
  EXPECT_NE(own_key.output.find("WARNING"), std::string::npos) << own_key.output;

  // A copy with the JSON of the third event changed, and one with a record byte changed.
  std::vector<std::string> lines = absl::StrSplit(ReadFile(bundle + "/events.jsonl"), '\n');
  ASSERT_GE(lines.size(), 4u);
  const std::string shown = dir_.Sub("shown"), record = dir_.Sub("record");
  for (const std::string& copy : {shown, record}) {
    std::filesystem::copy(bundle, copy, std::filesystem::copy_options::recursive);
  }
  std::vector<std::string> edited = lines;
  edited[2] = absl::StrReplaceAll(edited[2], {{"Co-design workshop", "Co-design workshop!"}});
  ASSERT_NE(edited[2], lines[2]);
  WriteFile(shown + "/events.jsonl", absl::StrJoin(edited, "\n"));
  auto caught = Ctl(absl::StrCat("audit check ", shown, " --verifier_key=", key));
  EXPECT_EQ(caught.exit_code, 3) << caught.output;
  EXPECT_NE(caught.output.find("event at position 4 (line 3)"), std::string::npos) << caught.output;

  edited = lines;
  size_t at = edited[1].find("\"canonical_record\":\"") + 40;
  edited[1][at] = edited[1][at] == 'A' ? 'B' : 'A';
  WriteFile(record + "/events.jsonl", absl::StrJoin(edited, "\n"));
  caught = Ctl(absl::StrCat("audit check ", record, " --verifier_key=", key));
  EXPECT_EQ(caught.exit_code, 3) << caught.output;
  EXPECT_NE(caught.output.find("event at position 3 (line 2)"), std::string::npos) << caught.output;
}

TEST_F(AuditTest, EvidencePackOfADecisionLeavesOutParticipants) {
  auto ledgerd = StartSigningLedgerd();
  const std::string key = VerifierKey();
  auto demo = Ctl("demo");
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  // A decision whose duty to involve was assessed.
  auto duties = Ctl("read --type=duty_to_involve_assessed --org=QWE");
  ASSERT_EQ(duties.exit_code, 0) << duties.output;
  std::string decision;
  for (absl::string_view line : absl::StrSplit(duties.output, '\n')) {
    size_t at = line.find("\"decision_id\":\"");
    if (at != absl::string_view::npos) {
      decision = std::string(line.substr(at + 15, 36));
      break;
    }
  }
  ASSERT_FALSE(decision.empty()) << duties.output;

  const std::string pack = dir_.Sub("pack");
  auto exported = Ctl(absl::StrCat("audit export --decision=", decision, " --org=QWE --out=", pack,
                                   " --verifier_key=", key));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  auto checked = Ctl(absl::StrCat("audit check ", pack, " --verifier_key=", key));
  EXPECT_EQ(checked.exit_code, 0) << checked.output;
  const std::string events = ReadFile(pack + "/events.jsonl");
  for (const char* kind : {"\"decision_recorded\"", "\"insight_recorded\"", "\"session_held\"",
                           "\"duty_to_involve_assessed\"", "\"invitation_sent\""}) {
    EXPECT_NE(events.find(kind), std::string::npos) << kind;
  }
  EXPECT_EQ(events.find("participant_registered"), std::string::npos);
  EXPECT_NE(events.find(decision), std::string::npos);
  EXPECT_NE(ReadFile(pack + "/README.txt").find("Evidence pack of decision " + decision),
            std::string::npos);
}

}  // namespace
