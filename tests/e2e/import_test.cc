// ledgerctl import against the real ledgerd: a file of appends goes in over one AppendStream
// call; a refused line is reported by number and the rest go in; a rerun appends nothing twice;
// a file that is not appends changes nothing.
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/uuid.h"
#include "tests/e2e/ledgerd_fixture.h"

namespace e2e {
namespace {

// An append of an engagement opening, on its own stream, with a fixed event id: one JSON line.
std::string OpeningLine(bool valid = true) {
  const std::string engagement = ledger::NewUuid();
  return absl::StrCat(
      R"({"stream":"engagement-)", engagement, R"(","expected":{"state":"EXPECTED_STATE_NO_STREAM"},)",
      R"("events":[{"eventId":")", ledger::NewUuid(), R"(",)",
      valid ? R"("occurredAt":"2025-05-01T10:00:00Z",)" : "",
      R"("organisation":"QWE","actor":"import-test","engagementOpened":{"engagementId":")",
      engagement,
      R"(","title":"Imported","topic":"Import","commissioningStage":"COMMISSIONING_STAGE_PLANNING",)",
      R"("spectrumLevel":"SPECTRUM_LEVEL_INFORM","scopeForInfluence":"Some","dutyToInvolve":)",
      R"("DUTY_APPLIES_NO","dutyReason":"A test","leadRole":"Tester"}}]})");
}

class ImportTest : public LedgerdTest {
 protected:
  uint64_t Head() {
    grpc::ClientContext context;
    engagement::v1::GetLedgerInfoResponse info;
    EXPECT_TRUE(Stub()->GetLedgerInfo(&context, {}, &info).ok());
    return info.head_position();
  }
  std::string Write(const std::vector<std::string>& lines) {
    std::string path = dir_.Sub("appends.jsonl");
    std::ofstream out(path);
    for (const std::string& line : lines) out << line << "\n";
    return path;
  }
};

TEST_F(ImportTest, AFileOfAppendsGoesInAndARefusedLineIsNamedWhileTheRestGoIn) {
  auto ledgerd = StartLedgerd();
  std::vector<std::string> lines;
  for (int i = 0; i < 600; ++i) lines.push_back(OpeningLine(i != 300));  // line 301 is refused
  const std::string path = Write(lines);
  const uint64_t before = Head();
  CommandResult first = Ctl("import --file=" + path);
  EXPECT_EQ(first.exit_code, 1) << first.output;
  EXPECT_NE(first.output.find("line 301 refused (INVALID_ARGUMENT): events[0].occurred_at"),
            std::string::npos)
      << first.output;
  EXPECT_NE(first.output.find("599 appends (599 events) written, 0 already there, 1 refused"),
            std::string::npos)
      << first.output;
  EXPECT_EQ(Head(), before + 599);
  // Again: the ids are the same, so nothing is written twice.
  CommandResult again = Ctl("import --file=" + path);
  EXPECT_NE(again.output.find("0 appends (0 events) written, 599 already there, 1 refused"),
            std::string::npos)
      << again.output;
  EXPECT_EQ(Head(), before + 599);
}

TEST_F(ImportTest, AFileThatIsNotAppendsChangesNothing) {
  auto ledgerd = StartLedgerd();
  const uint64_t before = Head();
  CommandResult bad = Ctl("import --file=" + Write({OpeningLine(), "{\"stream\": 12,"}));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_NE(bad.output.find("line 2 is not an append"), std::string::npos) << bad.output;
  EXPECT_EQ(Head(), before);
}

}  // namespace
}  // namespace e2e
