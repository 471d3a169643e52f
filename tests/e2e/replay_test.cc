// `ledgerctl replay` as an auditor runs it against a real ledgerd: a past point given by a date or
// a time finds the signed checkpoint that covers it, whose signature is checked (against the key
// the auditor gives, else the server's own, with a warning) before the point's event is proved in
// it; a checkpoint not signed by the key given fails the replay.
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "engagement/v1/audit.grpc.pb.h"
#include "ledger/checkpoint.h"
#include "ledger/hash_chain.h"
#include "tests/e2e/ledgerd_fixture.h"

namespace {

constexpr const char* kOrigin = e2e::kSigningOrigin;

class ReplayTest : public e2e::LedgerdTest {
 protected:
  // Asks the ledger to sign a checkpoint of its head; returns it.
  engagement::v1::SignedCheckpoint SignCheckpoint() {
    auto audit = engagement::v1::AuditService::NewStub(Channel());
    grpc::ClientContext context;
    engagement::v1::SignCheckpointResponse response;
    grpc::Status status = audit->SignCheckpoint(&context, {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.checkpoint();
  }

  // When the ledger recorded the event at `position`.
  absl::Time RecordedAt(uint64_t position) {
    engagement::v1::ReadLogRequest request;
    request.set_from_position(position);
    request.set_limit(1);
    grpc::ClientContext context;
    auto reader = Stub()->ReadLog(&context, request);
    engagement::v1::ReadLogResponse response;
    EXPECT_TRUE(reader->Read(&response)) << "no event at position " << position;
    context.TryCancel();
    const auto& t = response.event().recorded_at();
    return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
  }

  std::string VerifierKey() {
    auto key = Ctl("audit pubkey");
    EXPECT_EQ(key.exit_code, 0) << key.output;
    return std::string(absl::StripAsciiWhitespace(key.output));
  }
};

// What replay prints when the checkpoint of `size` covers the point and the event at `position`
// is proved in it.
void ExpectCoveredAndProved(const e2e::CommandResult& replay, uint64_t size, uint64_t position,
                            const std::string& root) {
  EXPECT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_NE(replay.output.find(absl::StrCat("\"position\": \"", position, "\"")),
            std::string::npos)
      << replay.output;  // the report's provenance
  EXPECT_NE(replay.output.find(absl::StrCat("Covered by the checkpoint of tree size ", size,
                                            " (root ", root, ")")),
            std::string::npos)
      << replay.output;
  EXPECT_NE(replay.output.find(absl::StrCat("The event at position ", position)), std::string::npos)
      << replay.output;
  EXPECT_NE(replay.output.find("inclusion proof of"), std::string::npos) << replay.output;
  EXPECT_EQ(replay.output.find("FAILED"), std::string::npos) << replay.output;
}

TEST_F(ReplayTest, ADateOrATimeFindsTheSignedCheckpointCoveringItAndProvesItsEvent) {
  auto ledgerd = StartSigningLedgerd();
  const std::string key = VerifierKey();
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(3));
  const engagement::v1::SignedCheckpoint first = SignCheckpoint();
  ASSERT_EQ(first.tree_size(), 4u);
  // A whole second on the ledger's clock after event 4 and before event 5.
  const absl::Time between = absl::FromUnixSeconds(absl::ToUnixSeconds(RecordedAt(4)) + 1);
  while (absl::Now() < between + absl::Milliseconds(200)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Append(testing_support::Sessions(2));
  const engagement::v1::SignedCheckpoint second = SignCheckpoint();
  ASSERT_EQ(second.tree_size(), 6u);

  // By date: the whole day of the last event, so every event (the head, 6), covered by the
  // checkpoint of 6 events; the signature checked against the auditor's key.
  const std::string day = absl::FormatTime("%Y-%m-%d", RecordedAt(6), absl::UTCTimeZone());
  auto by_date = Ctl(absl::StrCat("replay --org=QWE --as_of=", day, " --verifier_key=", key));
  ExpectCoveredAndProved(by_date, 6, 6, ledger::ToHex(second.root_hash()));
  EXPECT_NE(by_date.output.find("signature: OK, checked against --verifier_key"), std::string::npos)
      << by_date.output;
  EXPECT_EQ(by_date.output.find("WARNING"), std::string::npos) << by_date.output;

  // By time, between the two batches: event 4, covered by the earlier checkpoint, not the latest.
  const std::string time = absl::FormatTime(absl::RFC3339_sec, between, absl::UTCTimeZone());
  auto by_time = Ctl(absl::StrCat("replay --org=QWE --as_of=", time, " --verifier-key=", key));
  ExpectCoveredAndProved(by_time, 4, 4, ledger::ToHex(first.root_hash()));

  // No key given: checked against the server's own key, and said so.
  auto own_key = Ctl("replay --org=QWE --as_of=" + day);
  ExpectCoveredAndProved(own_key, 6, 6, ledger::ToHex(second.root_hash()));
  EXPECT_NE(own_key.output.find("signature: OK, checked against the server's own key"),
            std::string::npos)
      << own_key.output;
  EXPECT_NE(own_key.output.find("WARNING: the verifier key came from the server itself"),
            std::string::npos)
      << own_key.output;
}

TEST_F(ReplayTest, ACheckpointNotSignedByTheKeyGivenFailsTheReplay) {
  auto ledgerd = StartSigningLedgerd();
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(2));
  ASSERT_EQ(SignCheckpoint().tree_size(), 3u);

  // A well-formed key of the same name that is not the ledger's.
  const std::string other_key_file = dir_.Sub("other.key");
  ASSERT_TRUE(ledger::CheckpointSigner::GenerateKeyFile(other_key_file).ok());
  auto other = ledger::CheckpointSigner::Load(other_key_file, kOrigin);
  ASSERT_TRUE(other.ok()) << other.status();
  auto wrong =
      Ctl(absl::StrCat("replay --org=QWE --as_of=2 --verifier_key=", other->VerifierKey()));
  EXPECT_EQ(wrong.exit_code, 3) << wrong.output;
  EXPECT_NE(wrong.output.find("FAILED: the server's checkpoint is not signed by " +
                              other->VerifierKey()),
            std::string::npos)
      << wrong.output;
  EXPECT_EQ(wrong.output.find("is in that checkpoint"), std::string::npos) << wrong.output;

  // A key that is not a key at all is bad usage, said before anything is replayed.
  auto malformed = Ctl("replay --org=QWE --as_of=2 --verifier_key=not-a-key");
  EXPECT_EQ(malformed.exit_code, 2) << malformed.output;
  EXPECT_NE(malformed.output.find("--verifier_key is malformed"), std::string::npos)
      << malformed.output;
  EXPECT_EQ(malformed.output.find("evidence projection"), std::string::npos) << malformed.output;

  // The right key still passes.
  auto right = Ctl("replay --org=QWE --as_of=2 --verifier_key=" + VerifierKey());
  EXPECT_EQ(right.exit_code, 0) << right.output;
  EXPECT_NE(right.output.find("The event at position 2"), std::string::npos) << right.output;
}

}  // namespace

namespace {

// The digest a report at the head carried, as `ledgerctl report` prints it (base64 in JSON).
std::string StateDigestOf(const std::string& report_json) {
  const std::string field = "\"state_digest\": \"";
  size_t at = report_json.find(field);
  if (at == std::string::npos) return "";
  at += field.size();
  return report_json.substr(at, report_json.find('"', at) - at);
}

TEST_F(ReplayTest, AReportsStateDigestIsReproducedByAReplayOfTheLog) {
  auto ledgerd = StartSigningLedgerd();
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(3));
  auto report = Ctl("report assurance --org=QWE --from=2020-01-01 --to=2030-12-31");
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const std::string digest = StateDigestOf(report.output);
  ASSERT_EQ(digest.size(), 44u) << report.output;  // 32 bytes in base64
  Append(testing_support::Sessions(2));  // the head moves on; the replay goes back to 4

  auto same = Ctl("replay --org=QWE --as_of=4 --state_digest=" + digest);
  EXPECT_EQ(same.exit_code, 0) << same.output;
  EXPECT_NE(same.output.find("state digest: OK, the log replayed to position 4"),
            std::string::npos)
      << same.output;
  // A report of another state (here: of a later position) is not what the log gave at 4.
  auto later = Ctl("report assurance --org=QWE --from=2020-01-01 --to=2030-12-31");
  auto other = Ctl("replay --org=QWE --as_of=4 --state_digest=" + StateDigestOf(later.output));
  EXPECT_EQ(other.exit_code, 3) << other.output;
  EXPECT_NE(other.output.find("FAILED: the log replayed to position 4 gives state digest"),
            std::string::npos)
      << other.output;
}

}  // namespace
