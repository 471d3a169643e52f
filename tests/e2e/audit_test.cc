// The auditor's tools against a real ledgerd that signs checkpoints: the verifier key, a saved
// checkpoint that later proves the log only grew (and catches a log that did not), audit bundles
// checked with the server gone and caught when tampered with, and a decision's evidence pack
// without the participants' records.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "engagement/v1/audit.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "ledger/canonical_record.h"
#include "ledger/checkpoint.h"
#include "ledger/log_format.h"
#include "ledger/merkle_tree.h"
#include "rocksdb/db.h"
#include "tests/e2e/ledgerd_fixture.h"
#include "tests/history_rewrite.h"
#include "tests/raw_database.h"

namespace {

constexpr const char* kOrigin = e2e::kSigningOrigin;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

class AuditTest : public e2e::LedgerdTest {
 protected:
  std::string VerifierKey() {
    auto key = Ctl("audit pubkey");
    EXPECT_EQ(key.exit_code, 0) << key.output;
    return std::string(absl::StripAsciiWhitespace(key.output));
  }

  // The events a `ledgerctl read ...` command prints, one JSON object a line.
  std::vector<engagement::v1::Event> ReadEvents(const std::string& command) {
    auto read = Ctl(command);
    EXPECT_EQ(read.exit_code, 0) << read.output;
    std::vector<engagement::v1::Event> events;
    for (absl::string_view line : absl::StrSplit(read.output, '\n', absl::SkipEmpty())) {
      engagement::v1::Event event;
      auto parsed = google::protobuf::util::JsonStringToMessage(std::string(line), &event);
      EXPECT_TRUE(parsed.ok()) << parsed.ToString() << ": " << line;
      events.push_back(std::move(event));
    }
    return events;
  }

  // The checkpoints the ledger has stored (ListCheckpoints never signs one).
  std::vector<engagement::v1::SignedCheckpoint> StoredCheckpoints() {
    auto audit = engagement::v1::AuditService::NewStub(Channel());
    grpc::ClientContext context;
    engagement::v1::ListCheckpointsResponse response;
    grpc::Status status = audit->ListCheckpoints(&context, {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.checkpoints().begin(), response.checkpoints().end()};
  }

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
  // This ledger keeps its key outside the data directory: with no key to check the stored
  // checkpoints' signatures, offline verification refuses rather than pass them unchecked.
  auto offline_no_key = Ctl("verify --data_dir=" + data_);
  EXPECT_EQ(offline_no_key.exit_code, 1) << offline_no_key.output;
  EXPECT_NE(offline_no_key.output.find("pass --verifier_key=K"), std::string::npos)
      << offline_no_key.output;
  EXPECT_EQ(offline_no_key.output.find("OK:"), std::string::npos) << offline_no_key.output;
}

TEST_F(AuditTest, OfflineVerifyChecksSignaturesWithTheKeyBesideTheData) {
  auto ledgerd = StartLedgerd();  // its key in DATA_DIR/checkpoint.key, as by default
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(3));
  ledgerd->Signal(SIGTERM);
  ASSERT_TRUE(ledgerd->WaitFor(std::chrono::seconds(30)));
  auto verified = Ctl("verify --data_dir=" + data_);
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("and their signatures by the data directory's own key"),
            std::string::npos)
      << verified.output;
  EXPECT_NE(verified.output.find("WARNING: the checkpoints' signatures were checked with the "
                                 "signing key found beside the data"),
            std::string::npos)
      << verified.output;

  // The signature of the checkpoint signed at the stop (4 events), one byte changed.
  {
    testing_support::RawDatabase raw(data_ + "/log");
    rocksdb::ColumnFamilyHandle* checkpoints = raw.family(ledger::log_format::kCheckpointsFamily);
    const std::string key = ledger::log_format::EncodeFixed64BE(4);
    std::string value;
    ASSERT_TRUE(raw.db()->Get(rocksdb::ReadOptions(), checkpoints, key, &value).ok());
    char& signature_byte = value[value.size() - 6];  // before the last base64 group
    signature_byte = signature_byte == 'A' ? 'B' : 'A';
    ASSERT_TRUE(raw.db()->Put(rocksdb::WriteOptions(), checkpoints, key, value).ok());
  }
  auto caught = Ctl("verify --data_dir=" + data_);
  EXPECT_EQ(caught.exit_code, 3) << caught.output;
  EXPECT_NE(caught.output.find("FAILED: position 4: the checkpoint stored for 4 events is not "
                               "signed by the key in " + data_ + "/checkpoint.key"),
            std::string::npos)
      << caught.output;
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

  // What the decision's trace must bring in, found independently in the log: the feedback given
  // on it and the insights it considered.
  std::set<std::string> feedback_ids, insight_ids, insight_event_ids;
  for (const engagement::v1::Event& e : ReadEvents("read --type=feedback_given --org=QWE")) {
    const auto& decisions = e.feedback_given().decision_ids();
    if (std::find(decisions.begin(), decisions.end(), decision) != decisions.end()) {
      feedback_ids.insert(e.event_id());
    }
  }
  for (const engagement::v1::Event& e : ReadEvents("read --type=decision_recorded --org=QWE")) {
    if (e.decision_recorded().decision_id() != decision) continue;
    for (const auto& influence : e.decision_recorded().influences()) {
      insight_ids.insert(influence.insight_id());
    }
  }
  for (const engagement::v1::Event& e : ReadEvents("read --type=insight_recorded --org=QWE")) {
    if (insight_ids.contains(e.insight_recorded().insight_id())) insight_event_ids.insert(e.event_id());
  }
  ASSERT_FALSE(feedback_ids.empty()) << "the demo gives feedback on decision " << decision;
  ASSERT_EQ(insight_event_ids.size(), insight_ids.size());
  ASSERT_FALSE(insight_ids.empty());

  const std::string pack = dir_.Sub("pack");
  auto exported = Ctl(absl::StrCat("audit export --decision=", decision, " --org=QWE --out=", pack,
                                   " --verifier_key=", key));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  auto checked = Ctl(absl::StrCat("audit check ", pack, " --verifier_key=", key));
  EXPECT_EQ(checked.exit_code, 0) << checked.output;

  // Every event in the pack, as the records that were proved (not only the JSON shown).
  std::map<std::string, engagement::v1::Event> packed;  // by event id
  std::string records;  // every record's bytes, to search for personal data
  for (absl::string_view line :
       absl::StrSplit(ReadFile(pack + "/events.jsonl"), '\n', absl::SkipEmpty())) {
    const size_t at = line.find("\"canonical_record\":\"");
    ASSERT_NE(at, absl::string_view::npos) << line;
    absl::string_view encoded = line.substr(at + 20);
    std::string record;
    ASSERT_TRUE(absl::Base64Unescape(encoded.substr(0, encoded.find('"')), &record)) << line;
    absl::StatusOr<engagement::v1::Event> event = ledger::DecodeCanonicalRecord(record);
    ASSERT_TRUE(event.ok()) << event.status();
    EXPECT_FALSE(event->has_participant_registered()) << "position " << event->position();
    packed[event->event_id()] = *event;
    records += record;
  }
  auto kinds = [&](auto has) {
    int n = 0;
    for (const auto& [id, e] : packed) n += has(e) ? 1 : 0;
    return n;
  };
  EXPECT_EQ(kinds([](const auto& e) { return e.has_decision_recorded(); }), 1);
  EXPECT_GT(kinds([](const auto& e) { return e.has_session_held(); }), 0);
  EXPECT_GT(kinds([](const auto& e) { return e.has_duty_to_involve_assessed(); }), 0);
  EXPECT_GT(kinds([](const auto& e) { return e.has_invitation_sent(); }), 0);
  for (const std::string& id : feedback_ids) EXPECT_TRUE(packed.contains(id)) << "feedback " << id;
  for (const std::string& id : insight_event_ids) EXPECT_TRUE(packed.contains(id)) << "insight " << id;

  // No personal data anywhere in the pack: in no file as written, nor inside the records. (The
  // demo's participants are "Demo Participant NN (fictional)", with e-mail addresses at
  // example.invalid and telephone numbers in Ofcom's drama range, 01632 960xxx.)
  const char* const kPersonal[] = {"example.invalid", "Demo Participant", "01632 960"};
  int files = 0;
  for (const auto& file : std::filesystem::directory_iterator(pack)) {
    ++files;
    const std::string content = ReadFile(file.path().string());
    for (const char* personal : kPersonal) {
      EXPECT_EQ(content.find(personal), std::string::npos) << personal << " in " << file.path();
    }
    if (file.path().extension() == ".jsonl") {
      for (const char* field : {"participant_registered", "personal_data"}) {
        EXPECT_EQ(content.find(field), std::string::npos) << field << " in " << file.path();
      }
    }
  }
  EXPECT_EQ(files, 6);  // manifest.json, checkpoint.note, verifier_key.txt, events.jsonl,
                       // proofs.jsonl, README.txt
  for (const char* personal : kPersonal) {
    EXPECT_EQ(records.find(personal), std::string::npos) << personal << " in a record";
  }
  // The ledger does hold them (sealed; a privacy officer may see them, and no one else), so the
  // checks above would catch a leak.
  auto registered = Ctl("read --type=participant_registered --org=QWE --limit=1");
  EXPECT_EQ(registered.output.find("@example.invalid"), std::string::npos) << registered.output;
  EXPECT_NE(registered.output.find("sealed_personal_data"), std::string::npos) << registered.output;
  size_t at = registered.output.find("\"participant_id\":\"");
  ASSERT_NE(at, std::string::npos) << registered.output;
  std::string participant = registered.output.substr(at + 18, 36);
  auto shown = e2e::Run(absl::StrCat(LEDGERCTL_PATH, " --server=", address_, " --token_file=",
                                     TokenFile("privacy-officer"), " participant show ", participant,
                                     " --purpose=\"test of the evidence pack\""));
  EXPECT_NE(shown.output.find("@example.invalid"), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("Demo Participant"), std::string::npos) << shown.output;
  EXPECT_NE(ReadFile(pack + "/README.txt").find("Evidence pack of decision " + decision),
            std::string::npos);
}

TEST_F(AuditTest, DashedFlagNamesWorkAsAuditorsWriteThem) {
  // ledgerd's flags spelt with dashes...
  key_file_ = dir_.Sub("checkpoint.key");
  auto ledgerd = StartLedgerd({"--checkpoint-key=" + key_file_,
                               std::string("--checkpoint-origin=") + kOrigin,
                               "--checkpoint-interval-seconds=3600"});
  const std::string key = VerifierKey();
  EXPECT_EQ(key.rfind(std::string(kOrigin) + "+", 0), 0u) << key;  // the origin took effect
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(3));
  // ...and ledgerctl's, as the issue and the auditors' notes write them; values keep their dashes.
  const std::string bundle = dir_.Sub("dashed-bundle-dir");
  auto exported = Ctl(absl::StrCat("audit export --from-position=1 --to-position=4 --out=", bundle,
                                   " --verifier-key=", key, " --timeout-seconds=30"));
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_NE(exported.output.find("4 events"), std::string::npos) << exported.output;
  EXPECT_TRUE(std::filesystem::exists(bundle + "/events.jsonl")) << exported.output;
  auto report = Ctl("report assurance --org=QWE --from=2025-04-01 --to=2026-03-31 --as-of=2");
  EXPECT_EQ(report.exit_code, 0) << report.output;
}

TEST_F(AuditTest, CheckpointsAreSignedOnScheduleWithoutBeingAsked) {
  key_file_ = dir_.Sub("checkpoint.key");
  auto ledgerd = StartLedgerd({"--checkpoint_key=" + key_file_,
                               std::string("--checkpoint_origin=") + kOrigin,
                               "--checkpoint_interval_seconds=1"});
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(2));
  // From here on nothing asks for a checkpoint: only ListCheckpoints, which never signs.
  std::vector<engagement::v1::SignedCheckpoint> stored;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < give_up) {
    stored = StoredCheckpoints();
    if (!stored.empty() && stored.back().tree_size() == 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_FALSE(stored.empty());
  ASSERT_EQ(stored.back().tree_size(), 3u) << "no checkpoint of the 3 events within 10 s";
  auto signer = ledger::CheckpointSigner::Load(key_file_, kOrigin);
  ASSERT_TRUE(signer.ok()) << signer.status();
  auto opened = ledger::ParseAndVerify(stored.back().note(), signer->VerifierKey());
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->tree_size, 3u);
  EXPECT_EQ(opened->root_hash, stored.back().root_hash());
}

TEST_F(AuditTest, HistoryRewrittenOnDiskFailsVerifyAgainstASavedCheckpoint) {
  auto ledgerd = StartSigningLedgerd();
  const std::string key = VerifierKey();
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(3));
  const std::string saved = dir_.Sub("saved.note");
  auto checkpoint = Ctl(absl::StrCat("audit checkpoint --verifier_key=", key, " --save=", saved));
  ASSERT_EQ(checkpoint.exit_code, 0) << checkpoint.output;
  ASSERT_NE(checkpoint.output.find("tree size: 4"), std::string::npos) << checkpoint.output;
  Append(testing_support::Sessions(3));
  ledgerd->Signal(SIGTERM);
  ASSERT_TRUE(ledgerd->WaitFor(std::chrono::seconds(30)));

  // Someone with the disk rewrites event 3, re-chains everything after it, rebuilds the tree and
  // removes the stored checkpoints that would give it away; the ledger then starts on it and
  // signs the new history with its own key.
  testing_support::RewriteHistory(
      data_ + "/log", 3,
      [](engagement::v1::Event* e) {
        e->mutable_session_held()->set_title("A workshop that never happened");
      },
      /*drop_checkpoints=*/true);
  ASSERT_FALSE(HasFatalFailure());
  ledgerd = StartLedgerd({"--checkpoint_key=" + key_file_,
                          std::string("--checkpoint_origin=") + kOrigin,
                          "--checkpoint_interval_seconds=3600"});
  auto read = Ctl("read --from=3 --limit=1");
  ASSERT_NE(read.output.find("A workshop that never happened"), std::string::npos) << read.output;
  // On its own the rewritten log is a whole, validly signed history...
  auto plain = Ctl("verify --verifier_key=" + key);
  EXPECT_EQ(plain.exit_code, 0) << plain.output;
  // ...that is not consistent with the checkpoint saved before.
  auto caught = Ctl(absl::StrCat("verify --verifier_key=", key, " --checkpoint=", saved));
  EXPECT_EQ(caught.exit_code, 3) << caught.output;
  EXPECT_NE(caught.output.find(absl::StrCat("FAILED: the log has been rewritten since that "
                                            "checkpoint (", saved, ": tree size 4, root ")),
            std::string::npos)
      << caught.output;
  EXPECT_NE(caught.output.find("the consistency proof to the latest checkpoint (tree size 7) "
                               "does not verify"),
            std::string::npos)
      << caught.output;
}

}  // namespace
