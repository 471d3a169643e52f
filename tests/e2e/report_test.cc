// The reports as a governing body's secretary would produce them: the demo programme loaded
// into a real ledgerd, reports written by ledgerctl, the HTML printed to PDF by Chromium.
#include <filesystem>
#include <fstream>

#include "tests/e2e/ledgerd_fixture.h"

namespace {

using e2e::LedgerdTest;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Prints an HTML file to PDF with Debian's Chromium, as a secretary would, and checks the PDF.
void PrintToPdf(const std::string& html, const std::string& pdf) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/chromium")) << "make deps installs chromium";
  auto printed = e2e::Run(absl::StrCat(
      "timeout 120 /usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic "
      "--no-first-run --disable-background-networking --disable-component-update --disable-sync "
      "--user-data-dir=", pdf, ".chromium --print-to-pdf=", pdf,
      " --no-pdf-header-footer file://", html));
  EXPECT_EQ(printed.exit_code, 0) << printed.output;
  std::string bytes = ReadFile(pdf);
  ASSERT_GT(bytes.size(), 10000u) << printed.output;
  EXPECT_EQ(bytes.substr(0, 5), "%PDF-");
}

TEST_F(LedgerdTest, AssuranceReportFromTheDemoPrintsToPdf) {
  auto ledgerd = StartLedgerd();
  auto demo = Ctl("demo");
  ASSERT_EQ(demo.exit_code, 0) << demo.output;
  const std::string period = "--org=QWE --from=2025-04-01 --to=2026-03-31";

  auto json = Ctl("report assurance " + period);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  EXPECT_NE(json.output.find("\"insights_recorded\": \"20\""), std::string::npos) << json.output;
  EXPECT_NE(json.output.find("\"position\": \"510\""), std::string::npos);  // provenance

  auto csv = Ctl("report assurance " + period + " --format=csv");
  ASSERT_EQ(csv.exit_code, 0);
  EXPECT_NE(csv.output.find("Section: Summary"), std::string::npos);

  // As of the position before the first decision: nothing considered yet.
  auto early = Ctl("report assurance " + period + " --as_of=60");
  ASSERT_EQ(early.exit_code, 0) << early.output;
  EXPECT_NE(early.output.find("\"position\": \"60\""), std::string::npos);
  EXPECT_EQ(early.output.find("\"insights_considered_by_decision\""), std::string::npos);

  // Replay: the evidence at a past point, the checkpoint covering it, and the proof.
  auto replay = Ctl("replay --as_of=150 --org=QWE");
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  EXPECT_NE(replay.output.find("Covered by the checkpoint of tree size"), std::string::npos);
  EXPECT_NE(replay.output.find("The event at position 150"), std::string::npos) << replay.output;

  std::string html = dir_.Sub("report.html"), pdf = dir_.Sub("report.pdf");
  auto written = Ctl("report assurance " + period + " --format=html --out=" + html);
  ASSERT_EQ(written.exit_code, 0) << written.output;
  std::string page = ReadFile(html);
  EXPECT_EQ(page.find("<script"), std::string::npos);
  EXPECT_EQ(page.find("@example.invalid"), std::string::npos);  // the demo's fictional emails

  PrintToPdf(html, pdf);

  // The other documents: the facilitator's summary of the first session, "you said, we did" to
  // the governing body for the year, and the annual report's duty-to-involve section.
  auto sessions = Ctl("read --org=QWE --type=session_held --limit=1");
  size_t at = sessions.output.find("\"session_id\":\"");
  ASSERT_NE(at, std::string::npos) << sessions.output;
  std::string session = sessions.output.substr(at + 14, 36);
  const std::vector<std::pair<std::string, std::string>> documents = {
      {"session", "report session --org=QWE --session=" + session + " --format=html"},
      {"yousaid", "report yousaid " + period + " --body=\"QWE Integrated Care Board\" --format=html"},
      {"annual", "report annual " + period + " --format=html"}};
  for (const auto& [name, command] : documents) {
    std::string file = dir_.Sub(name + ".html");
    auto made = Ctl(command + " --out=" + file);
    ASSERT_EQ(made.exit_code, 0) << name << ": " << made.output;
    std::string text = ReadFile(file);
    EXPECT_EQ(text.find("<script"), std::string::npos) << name;
    EXPECT_EQ(text.find("@example.invalid"), std::string::npos) << name;
    EXPECT_EQ(text.find("ETHNIC_CATEGORY_"), std::string::npos) << name << ": codes, not labels";
    PrintToPdf(file, dir_.Sub(name + ".pdf"));
  }
  EXPECT_NE(ReadFile(dir_.Sub("annual.html")).find("Diabetes education people can get to"),
            std::string::npos);
  EXPECT_NE(ReadFile(dir_.Sub("session.html")).find("What happens next"), std::string::npos);
  auto csv_session = Ctl("report session --org=QWE --session=" + session + " --format=csv");
  EXPECT_NE(csv_session.output.find("Section: What we heard"), std::string::npos) << csv_session.output;
}

TEST_F(LedgerdTest, ReportsRefuseBadRequestsClearly) {
  auto ledgerd = StartLedgerd();
  auto bad_org = Ctl("report assurance --org=qwe --from=2025-04-01 --to=2026-03-31");
  EXPECT_EQ(bad_org.exit_code, 1);
  EXPECT_NE(bad_org.output.find("INVALID_ARGUMENT: organisation"), std::string::npos)
      << bad_org.output;
  auto bad_date = Ctl("report assurance --org=QWE --from=2025-13-01 --to=2026-03-31");
  EXPECT_EQ(bad_date.exit_code, 1);
  EXPECT_NE(bad_date.output.find("period_start"), std::string::npos) << bad_date.output;
  auto missing = Ctl("report yousaid --org=QWE --engagement=3f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("NOT_FOUND"), std::string::npos) << missing.output;
  auto status = Ctl("projections status");
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_NE(status.output.find("evidence"), std::string::npos);
  auto rebuilt = Ctl("projections rebuild --name=evidence");
  EXPECT_EQ(rebuilt.exit_code, 0) << rebuilt.output;
  auto unknown = Ctl("projections rebuild --name=nonesuch");
  EXPECT_EQ(unknown.exit_code, 1);
}

}  // namespace
