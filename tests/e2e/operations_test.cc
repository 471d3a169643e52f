// What a platform team's tools see of a real ledgerd process: its JSON log lines, the metrics
// page Prometheus scrapes, and `ledgerctl probe` as Docker's HEALTHCHECK and Kubernetes run it.
#include <httplib.h>

#include <csignal>
#include <fstream>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/e2e/ledgerd_fixture.h"
#include "tests/test_support.h"

namespace e2e {
namespace {

using OperationsTest = LedgerdTest;

TEST_F(OperationsTest, JsonLogsMetricsAndProbeOfARunningLedgerd) {
  const int metrics_port = FreePort();
  auto ledgerd = StartLedgerd({"--log_format=json",
                               absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port)});
  Append({testing_support::EngagementOpened()});

  CommandResult probe = Ctl("probe");
  EXPECT_EQ(probe.exit_code, 0) << probe.output;
  EXPECT_TRUE(absl::StrContains(probe.output, "SERVING")) << probe.output;

  httplib::Client client("127.0.0.1", metrics_port);
  httplib::Result page = client.Get("/metrics");
  ASSERT_TRUE(page) << httplib::to_string(page.error());
  EXPECT_EQ(page->status, 200);
  EXPECT_TRUE(absl::StrContains(page->body, "\nledger_head_position 1\n")) << page->body;
  EXPECT_TRUE(absl::StrContains(page->body, "method=\"AppendEvents\",code=\"OK\"} 1\n"));

  ledgerd->Signal(SIGTERM);
  EXPECT_EQ(ledgerd->Wait(), 0);
  // Every line ledgerd wrote is one JSON object with the four fields, gRPC's own lines included.
  std::ifstream log(log_);
  std::string line;
  int lines = 0;
  bool said_serving = false;
  while (std::getline(log, line)) {
    ++lines;
    nlohmann::json object = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(object.is_object()) << "not JSON: " << line;
    for (const char* field : {"time", "level", "program", "message"}) {
      EXPECT_TRUE(object.contains(field)) << field << " missing: " << line;
    }
    EXPECT_EQ(object.value("program", ""), "ledgerd");
    said_serving |= absl::StartsWith(object.value("message", ""), "serving ");
  }
  EXPECT_GE(lines, 3);
  EXPECT_TRUE(said_serving);

  // Stopped: a liveness probe fails too.
  CommandResult dead = Ctl("probe --liveness");
  EXPECT_EQ(dead.exit_code, 1) << dead.output;
  EXPECT_TRUE(absl::StrContains(dead.output, "NO ANSWER")) << dead.output;
}

TEST_F(OperationsTest, UnknownLogFormatIsRefusedNamingTheFlag) {
  CommandResult refused =
      e2e::Run(absl::StrCat(LEDGERD_PATH, " --listen=", address_, " --data_dir=", data_,
                       " --insecure_local --log_format=xml"));
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_TRUE(absl::StrContains(refused.output, "--log_format")) << refused.output;
}

// A request whose gRPC length prefix claims 4 GiB, then a stream of bytes (tests/probes/
// oversized_message.mjs, raw HTTP/2): gRPC's memory quota stops it while it arrives, so the
// server's memory grows by about the quota, not by what was sent, and it goes on serving.
TEST_F(OperationsTest, RequestClaimingFourGibIsCutOffWhileItArrives) {
  auto ledgerd = StartLedgerd({"--max_grpc_memory_mib=64"});
  CommandResult probe = e2e::Run(absl::StrCat(
      "LIMIT_MIB=128 node ", PROBES_DIR, "/oversized_message.mjs ", address_, " ", TokenFile(),
      " ", ledgerd->pid(), " 512"));
  EXPECT_EQ(probe.exit_code, 0) << probe.output;
  EXPECT_TRUE(absl::StrContains(probe.output, "stream closed early: true")) << probe.output;
  Append({testing_support::EngagementOpened()});  // still serving
}

}  // namespace
}  // namespace e2e
