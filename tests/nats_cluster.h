// Real nats-server processes with JetStream on 127.0.0.1, for the replicated ledger's tests: one
// server, or a cluster of three whose JetStream keeps R3 streams. Each has its own store
// directory under the test's; every process is killed when the cluster is destroyed.
#ifndef ENGAGEMENT_TESTS_NATS_CLUSTER_H_
#define ENGAGEMENT_TESTS_NATS_CLUSTER_H_

#include <sys/socket.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/e2e/process.h"

namespace testing_support {

// Debian's nats-server (package nats-server).
inline constexpr char kNatsServer[] = "/usr/sbin/nats-server";

class NatsCluster {
 public:
  // `servers` is 1 or 3; `directory` holds their stores and logs.
  NatsCluster(int servers, const std::string& directory) : directory_(directory) {
    std::filesystem::create_directories(directory);
    for (int i = 0; i < servers; ++i) {
      client_ports_.push_back(e2e::FreePort());
      cluster_ports_.push_back(e2e::FreePort());
    }
    for (int i = 0; i < servers; ++i) Start(i);
  }

  // Starts server `i` again (after Kill), with the same ports and store.
  void Start(int i) {
    std::vector<std::string> argv = {kNatsServer,     "-a", "127.0.0.1",
                                     "-p",            std::to_string(client_ports_[i]),
                                     "-n",            absl::StrCat("n", i + 1),
                                     "-js",           "-sd",
                                     absl::StrCat(directory_, "/nats", i + 1)};
    if (client_ports_.size() > 1) {
      std::vector<std::string> routes;
      for (size_t j = 0; j < cluster_ports_.size(); ++j) {
        if (static_cast<int>(j) != i) routes.push_back(RouteUrl(j));
      }
      argv.insert(argv.end(), {"--cluster_name", "ledger-test", "--cluster", RouteUrl(i),
                               "--routes", absl::StrJoin(routes, ",")});
    }
    if (static_cast<int>(processes_.size()) <= i) processes_.resize(i + 1);
    processes_[i] = std::make_unique<e2e::Process>(
        argv, absl::StrCat(directory_, "/nats", i + 1, ".log"));
    WaitForPort(client_ports_[i]);
  }

  // kill -9 of server `i`.
  void Kill(int i) {
    processes_[i]->Signal(SIGKILL);
    processes_[i]->Wait();
  }

  // Every server's URL, comma-separated (ledgerd's --nats_servers).
  std::string Urls() const {
    std::vector<std::string> urls;
    for (int port : client_ports_) urls.push_back(absl::StrCat("nats://127.0.0.1:", port));
    return absl::StrJoin(urls, ",");
  }
  std::vector<std::string> UrlList() const {
    std::vector<std::string> urls;
    for (int port : client_ports_) urls.push_back(absl::StrCat("nats://127.0.0.1:", port));
    return urls;
  }
  int replicas() const { return client_ports_.size() > 1 ? 3 : 1; }

 private:
  std::string RouteUrl(size_t i) const {
    return absl::StrCat("nats://127.0.0.1:", cluster_ports_[i]);
  }
  // Until something listens on `port` (at most 10 s).
  static void WaitForPort(int port) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < give_up) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      addr.sin_port = htons(port);
      bool up = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
      close(fd);
      if (up) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string directory_;
  std::vector<int> client_ports_;
  std::vector<int> cluster_ports_;
  std::vector<std::unique_ptr<e2e::Process>> processes_;
};

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_NATS_CLUSTER_H_
