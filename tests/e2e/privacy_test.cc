// Personal data end to end, with the real ledgerd and ledgerctl: marker strings put in a
// participant's fields are shown to a privacy officer only, never appear in any file under the
// data directory or a backup, in ledgerd's log, in reports, CSV, HTML, error messages or evidence
// packs; an erasure makes them read as erased everywhere (as-of replays included) while verify
// still passes; a restore of a backup taken before the erasure re-applies it from the register.
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "ledger/hash_chain.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/uuid.h"
#include "tests/e2e/ledgerd_fixture.h"

namespace {

namespace fs = std::filesystem;

// Strings found nowhere else, made afresh for each run: if one is on disk or in an output,
// personal data leaked. Random and without repeats, so that no compression (RocksDB writes its
// tables with LZ4) can hide one: LZ4 keeps a sequence seen once as it is.
std::vector<std::string> MakeMarkers() {
  std::string random = ledger::NewUuid() + ledger::NewUuid();
  random.erase(std::remove(random.begin(), random.end(), '-'), random.end());
  auto part = [&](int i) { return random.substr(i * 12, 12); };
  return {absl::StrCat("Qz", part(0), " Person"), absl::StrCat("qz", part(1), "@example.invalid"),
          absl::StrCat("07", part(2)), absl::StrCat("QZ", part(3)), absl::StrCat("Z", part(4))};
}
const std::vector<std::string>& Markers() {
  static const auto* markers = new std::vector<std::string>(MakeMarkers());
  return *markers;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every marker found in any regular file under `dir`, as "marker in file".
std::vector<std::string> MarkersUnder(const std::string& dir) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string content = ReadAll(entry.path());
    for (const std::string& marker : Markers()) {
      if (content.find(marker) != std::string::npos) {
        found.push_back(absl::StrCat(marker, " in ", entry.path().string()));
      }
    }
  }
  return found;
}

std::vector<std::string> MarkersIn(const std::string& text) {
  std::vector<std::string> found;
  for (const std::string& marker : Markers()) {
    if (text.find(marker) != std::string::npos) found.push_back(marker);
  }
  return found;
}

class PrivacyTest : public e2e::LedgerdTest {
 protected:
  e2e::CommandResult CtlAs(const std::string& who, const std::string& args) {
    return e2e::Run(absl::StrCat(LEDGERCTL_PATH, " --server=", address_,
                                 " --token_file=", TokenFile(who), " ", args));
  }

  // The engagement, the marked participant and a session they attended, through ledgerctl.
  void RecordTheMarkedParticipant() {
    Append({testing_support::EngagementOpened()});
    std::string file = dir_.Sub("person.jsonl");
    std::ofstream(file)
        << R"({"occurred_at":"2025-05-01T10:00:00Z","organisation":"QWE","actor":"team@qwe",)"
        << R"("participant_registered":{"participant_id":")" << kPerson << R"(",)"
        << R"("role_type":"PPV_ROLE_TYPE_1","recruited_through":"INVITATION_CHANNEL_GP_PRACTICE",)"
        << R"("personal_data":{"contact":{"name":")" << Markers()[0] << R"(","email":")"
        << Markers()[1] << R"(","telephone":")" << Markers()[2] << R"(","postcode":")"
        << Markers()[3] << R"("},"equality":{"age_band":"AGE_BAND_25_44",)"
        << R"("sex":"SEX_NOT_STATED","disability":"MONITORING_ANSWER_NO",)"
        << R"("carer":"MONITORING_ANSWER_NO",)"
        << R"("ethnic_category":"ETHNIC_CATEGORY_H_INDIAN","postcode_district":")" << Markers()[4]
        << R"(","imd_decile":1}}}})" << "\n";
    auto registered = Ctl(absl::StrCat("append --stream=participant-", kPerson, " --file=", file));
    ASSERT_EQ(registered.exit_code, 0) << registered.output;
    engagement::v1::Event session = testing_support::SessionHeld();
    session.mutable_session_held()->add_attendee_participant_ids(kPerson);
    Append({session});
  }

  std::string Report(const std::string& extra) {
    auto report = Ctl(absl::StrCat("report assurance --org=QWE --from=2025-04-01 --to=2026-03-31 ",
                                   extra));
    EXPECT_EQ(report.exit_code, 0) << report.output;
    return report.output;
  }

  static constexpr char kPerson[] = "7f3a9100-1111-4222-8333-944445555666";
};

TEST_F(PrivacyTest, ErasedDataReadsAsErasedEverywhereAndIsNowhereOnDiskWhileVerifyPasses) {
  auto ledgerd = StartLedgerd();
  RecordTheMarkedParticipant();
  std::string outputs;  // everything a person could have been shown

  // Only a privacy officer sees the data, and the disclosure is recorded.
  auto operator_view = Ctl(absl::StrCat("participant show ", kPerson, " --purpose=\"a test\""));
  EXPECT_EQ(operator_view.exit_code, 1);
  EXPECT_NE(operator_view.output.find("PERMISSION_DENIED"), std::string::npos) << operator_view.output;
  auto shown = CtlAs("privacy-officer", absl::StrCat("participant show ", kPerson,
                                                     " --purpose=\"subject access request 1\""));
  ASSERT_EQ(shown.exit_code, 0) << shown.output;
  for (const std::string& marker : Markers()) {
    EXPECT_NE(shown.output.find(marker), std::string::npos) << marker;
  }
  auto disclosures = Ctl("read --type=personal_data_disclosed");
  EXPECT_NE(disclosures.output.find("token:local-privacy-officer"), std::string::npos);
  EXPECT_NE(disclosures.output.find("subject access request 1"), std::string::npos);
  outputs += operator_view.output + disclosures.output;

  // What everyone else sees holds none of it.
  outputs += Ctl("read").output + Ctl("read --type=participant_registered --org=QWE").output;
  outputs += Report("--format=csv --exact") + Report("--format=html") + Report("--format=json");
  outputs += Ctl("append --stream=participant-x --file=/dev/null").output;  // an error message
  auto before_erasure = Ctl("info");
  const uint64_t position_before = std::stoull(
      before_erasure.output.substr(before_erasure.output.find("head position:") + 14));
  auto early_backup = Ctl(absl::StrCat("backup ", dir_.Sub("backup-before")));
  ASSERT_EQ(early_backup.exit_code, 0) << early_backup.output;

  // Erase.
  auto erased = CtlAs("privacy-officer",
                      absl::StrCat("participant erase ", kPerson, " --reason=\"erasure request 9\""));
  ASSERT_EQ(erased.exit_code, 0) << erased.output;
  auto again = CtlAs("privacy-officer", absl::StrCat("participant show ", kPerson, " --purpose=\"check\""));
  EXPECT_NE(again.output.find("\"erased\":true"), std::string::npos) << again.output;
  EXPECT_TRUE(MarkersIn(again.output).empty()) << again.output;
  // Counted, under ERASED, now and as of before the erasure.
  for (const std::string& as_of : {std::string(), absl::StrCat("--as_of=", position_before)}) {
    std::string csv = Report("--format=csv --exact " + as_of);
    EXPECT_NE(csv.find("ERASED"), std::string::npos) << as_of << "\n" << csv;
    EXPECT_EQ(csv.find("ETHNIC_CATEGORY_H_INDIAN"), std::string::npos) << as_of;
    outputs += csv;
  }
  // The read models still equal the log replayed without the erased key.
  auto projections = Ctl("projections verify");
  EXPECT_EQ(projections.exit_code, 0) << projections.output;
  EXPECT_NE(projections.output.find("evidence     OK"), std::string::npos) << projections.output;
  // An evidence pack and a bundle.
  auto bundle = Ctl(absl::StrCat("audit export --from_position=1 --out=", dir_.Sub("bundle")));
  EXPECT_EQ(bundle.exit_code, 0) << bundle.output;
  auto register_file = dir_.Sub("erasures.jsonl");
  auto erasures = Ctl("read --type=participant_erased");
  std::ofstream(register_file) << erasures.output;
  auto backup = Ctl(absl::StrCat("backup ", dir_.Sub("backup-after")));
  ASSERT_EQ(backup.exit_code, 0) << backup.output;

  ledgerd->Signal(SIGTERM);
  ASSERT_TRUE(ledgerd->WaitFor(std::chrono::seconds(20)));
  auto verified = e2e::Run(absl::StrCat(LEDGERCTL_PATH, " verify --data_dir=", data_));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;

  for (const std::string& dir : {data_, dir_.Sub("backup-after"), dir_.Sub("bundle")}) {
    std::vector<std::string> found = MarkersUnder(dir);
    EXPECT_TRUE(found.empty()) << dir << ": " << found.front();
  }
  EXPECT_TRUE(MarkersIn(ReadAll(log_)).empty()) << "ledgerd's log";
  EXPECT_TRUE(MarkersIn(outputs).empty()) << outputs;

  // A restore of the backup taken before the erasure: without the register the person would
  // come back; with it, they stay erased.
  auto restored = e2e::Run(absl::StrCat(LEDGERCTL_PATH, " restore ", dir_.Sub("backup-before"), " ",
                                        dir_.Sub("restored"), " --master_key_file=", data_,
                                        "/local/master.key --erasures=", register_file));
  ASSERT_EQ(restored.exit_code, 0) << restored.output;
  EXPECT_NE(restored.output.find("1 erasure(s) re-applied"), std::string::npos) << restored.output;
  data_ = dir_.Sub("restored");
  ledgerd = StartLedgerd({"--master_key_file=" + dir_.Sub("data/local/master.key")});
  auto after_restore = CtlAs("privacy-officer", absl::StrCat("participant show ", kPerson,
                                                             " --purpose=\"after restore\""));
  EXPECT_NE(after_restore.output.find("\"erased\":true"), std::string::npos) << after_restore.output;
  EXPECT_TRUE(MarkersIn(after_restore.output).empty()) << after_restore.output;
}

TEST_F(PrivacyTest, ADirectoryWrittenBeforeSealingIsRefusedAndMigratesIntoAContinuation) {
  // An old directory: a log whose registration holds personal data in clear and no key store, as
  // ledgerd wrote them before sealing (made with the log's own API, no rules installed).
  std::string old_head;
  {
    auto log = ledger::RocksDbEventLog::Open(data_ + "/log", ledger::RocksDbOptions());
    ASSERT_TRUE(log.ok()) << log.status();
    engagement::v1::Event person;
    person.mutable_occurred_at()->set_seconds(1746093600);
    person.set_organisation("QWE");
    person.set_actor("team@qwe");
    auto* p = person.mutable_participant_registered();
    p->set_participant_id(kPerson);
    p->mutable_personal_data()->mutable_contact()->set_name(Markers()[0]);
    p->mutable_personal_data()->mutable_contact()->set_email(Markers()[1]);
    ASSERT_TRUE((*log)->Append({"engagement-" + testing_support::TestEngagement(),
                                ledger::ExpectedRevision::NoStream(),
                                {testing_support::EngagementOpened()}}).ok());
    ASSERT_TRUE((*log)->Append({std::string("participant-") + kPerson,
                                ledger::ExpectedRevision::NoStream(), {person}}).ok());
    old_head = ledger::ToHex((*log)->Head().hash);
  }
  ASSERT_FALSE(MarkersUnder(data_).empty()) << "the old directory holds them in clear";
  e2e::Process refused({LEDGERD_PATH, "--listen=" + address_, "--data_dir=" + data_,
                        "--insecure_local"}, dir_.Sub("refused.log"));
  ASSERT_TRUE(refused.WaitFor(std::chrono::seconds(20)));
  EXPECT_EQ(refused.Wait(), 1);
  std::string said = ReadAll(dir_.Sub("refused.log"));
  EXPECT_NE(said.find("ledgerctl migrate"), std::string::npos) << said;
  EXPECT_TRUE(MarkersIn(said).empty()) << said;

  auto migrated = e2e::Run(absl::StrCat(LEDGERCTL_PATH, " migrate ", data_, " ", dir_.Sub("new"),
                                        " --organisation=QWE"));
  ASSERT_EQ(migrated.exit_code, 0) << migrated.output;
  data_ = dir_.Sub("new");
  auto ledgerd = StartLedgerd();
  auto first = Ctl("read --limit=1");
  EXPECT_NE(first.output.find("ledger_migrated"), std::string::npos) << first.output;
  EXPECT_NE(first.output.find("\"previous_head_position\":\"2\""), std::string::npos) << first.output;
  auto info = Ctl("info");
  EXPECT_NE(info.output.find("head position: 3"), std::string::npos) << info.output;
  auto shown = CtlAs("privacy-officer",
                     absl::StrCat("participant show ", kPerson, " --purpose=\"after migration\""));
  EXPECT_NE(shown.output.find(Markers()[0]), std::string::npos) << shown.output;
  auto verified = Ctl("verify");
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  ledgerd->Signal(SIGTERM);
  ASSERT_TRUE(ledgerd->WaitFor(std::chrono::seconds(20)));
  std::vector<std::string> found = MarkersUnder(data_);
  EXPECT_TRUE(found.empty()) << found.front();
  // The migration event names the old head; a reader can check it against the old directory.
  EXPECT_NE(migrated.output.find(old_head), std::string::npos) << migrated.output;
}

}  // namespace
