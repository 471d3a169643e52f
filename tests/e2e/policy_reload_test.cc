// The access policy is read again on SIGHUP: a grant removed takes effect for the next call, and
// a bad file keeps the policy in force and says why in ledgerd's log.
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "tests/e2e/ledgerd_fixture.h"

namespace {

class PolicyReloadTest : public e2e::LedgerdTest {
 protected:
  std::string Policy() const { return data_ + "/local/policy.textproto"; }
  std::string LogText() const {
    std::ifstream in(log_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // Sends SIGHUP and waits until ledgerd's log says it acted on it `count` times.
  void Reload(e2e::Process& ledgerd, int count) {
    ledgerd.Signal(SIGHUP);
    for (int i = 0; i < 200; ++i) {
      std::string text = LogText();
      int seen = 0;
      for (size_t at = text.find("SIGHUP"); at != std::string::npos; at = text.find("SIGHUP", at + 1)) {
        ++seen;
      }
      if (seen >= count) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ADD_FAILURE() << "ledgerd did not report the reload:\n" << LogText();
  }
};

TEST_F(PolicyReloadTest, SighupAppliesANewPolicyAndABadOneKeepsTheOld) {
  auto ledgerd = StartLedgerd();
  ASSERT_EQ(Ctl("info").exit_code, 0);

  // The operator loses every role but reader.
  std::ofstream(Policy()) << R"(principals { token_subject: "local-operator"
  grants { role: ROLE_READER organisations: "QWE" } })";
  Reload(*ledgerd, 1);
  EXPECT_NE(LogText().find("access policy reloaded"), std::string::npos) << LogText();
  auto denied = Ctl("info");
  EXPECT_EQ(denied.exit_code, 0) << denied.output;  // any role may see the head
  auto read = Ctl("read");
  EXPECT_EQ(read.exit_code, 1);
  EXPECT_NE(read.output.find("PERMISSION_DENIED"), std::string::npos) << read.output;

  // A bad file: refused, the last good policy stays.
  std::ofstream(Policy()) << R"(principals { token_subject: "local-operator"
  grants { role: ROLE_AUDITOR organisations: "qwe" } })";
  Reload(*ledgerd, 2);
  std::string text = LogText();
  EXPECT_NE(text.find("NOT reloaded"), std::string::npos) << text;
  EXPECT_NE(text.find("is not an ODS code"), std::string::npos) << text;
  auto still_denied = Ctl("read");
  EXPECT_NE(still_denied.output.find("PERMISSION_DENIED"), std::string::npos) << still_denied.output;
  auto report = Ctl("report assurance --org=QWE --from=2025-04-01 --to=2026-03-31");
  EXPECT_EQ(report.exit_code, 0) << report.output;
}

}  // namespace
