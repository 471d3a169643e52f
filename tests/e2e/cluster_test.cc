// The replicated ledger as it runs for real: three nats-server processes (one JetStream cluster,
// an R3 stream) and three ledgerd processes on 127.0.0.1, clients appending to all three.
// kill -9 of the leader under load, then of a NATS server; a leader frozen past its lease (as a
// partition would leave it) and woken again. Afterwards every acknowledged event is on every
// node exactly once, the nodes' head hashes are identical, and a new leader took over within
// seconds.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/uuid.h"
#include "services/client_channel.h"
#include "tests/e2e/process.h"
#include "tests/nats_cluster.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::LedgerService;

constexpr int kNodes = 3;

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nats_ = std::make_unique<testing_support::NatsCluster>(3, dir_.Sub("nats"));
    for (int i = 0; i < kNodes; ++i) ports_.push_back(e2e::FreePort());
    nodes_.resize(kNodes);
    for (int i = 0; i < kNodes; ++i) Start(i);
    for (int i = 0; i < kNodes; ++i) ASSERT_TRUE(WaitUntilServing(i)) << Log(i);
  }

  std::string Data(int i) const { return dir_.Sub(absl::StrCat("node", i)); }
  std::string LogFile(int i) const { return dir_.Sub(absl::StrCat("node", i, ".log")); }
  std::string Log(int i) const { return e2e::Run("tail -n 30 " + LogFile(i)).output; }

  void Start(int i) {
    nodes_[i] = std::make_unique<e2e::Process>(
        std::vector<std::string>{LEDGERD_PATH, absl::StrCat("--listen=127.0.0.1:", ports_[i]),
                                 "--data_dir=" + Data(i), "--insecure_local",
                                 "--nats_servers=" + nats_->Urls(),
                                 absl::StrCat("--node_id=node", i), "--leader_lease_seconds=2",
                                 "--checkpoint_interval_seconds=3600"},
        LogFile(i));
  }

  std::unique_ptr<LedgerService::Stub> Stub(int i) {
    absl::StatusOr<std::string> token =
        services::ReadTokenFile(absl::StrCat(Data(i), "/local/operator.token"));
    services::ClientCredentials credentials;
    credentials.token = token.ok() ? *token : "";
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
    return LedgerService::NewStub(
        *services::MakeChannel(absl::StrCat("127.0.0.1:", ports_[i]), credentials, args));
  }

  // GetLedgerInfo of node `i`; nullopt when it does not answer within a second.
  std::optional<engagement::v1::GetLedgerInfoResponse> Info(int i) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    engagement::v1::GetLedgerInfoResponse info;
    if (!Stub(i)->GetLedgerInfo(&context, {}, &info).ok()) return std::nullopt;
    return info;
  }

  bool WaitUntilServing(int i) {
    const absl::Time give_up = absl::Now() + absl::Seconds(90);
    while (absl::Now() < give_up) {
      if (Info(i).has_value()) return true;
      if (!nodes_[i]->running()) return false;
      absl::SleepFor(absl::Milliseconds(100));
    }
    return false;
  }

  // The node that says it leads, among those running; -1 when none does within `timeout`.
  int WaitForLeader(absl::Duration timeout, int other_than = -1) {
    const absl::Time give_up = absl::Now() + timeout;
    while (absl::Now() < give_up) {
      for (int i = 0; i < kNodes; ++i) {
        if (i == other_than || nodes_[i] == nullptr || !nodes_[i]->running()) continue;
        auto info = Info(i);
        if (info.has_value() && info->replication().leading()) return i;
      }
      absl::SleepFor(absl::Milliseconds(50));
    }
    return -1;
  }

  // Appends one new engagement (its opening) with a client-chosen event id to node `i`, retrying
  // the same append while the cluster answers UNAVAILABLE (a leader changing). Returns the event
  // id once acknowledged; empty when it never was.
  std::string AppendOne(int i, const std::atomic<bool>& stop) {
    const std::string engagement = ledger::NewUuid();
    engagement::v1::AppendEventsRequest request;
    request.set_stream("engagement-" + engagement);
    request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
    engagement::v1::Event event = testing_support::EngagementOpened(engagement);
    event.set_event_id(ledger::NewUuid());
    *request.add_events() = event;
    auto stub = Stub(i);
    while (!stop.load()) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
      engagement::v1::AppendEventsResponse response;
      grpc::Status status = stub->AppendEvents(&context, request, &response);
      if (status.ok()) return event.event_id();
      // A node that was killed, or a leader being chosen: the same append again, as a client
      // would (the event id makes the retry safe).
      absl::SleepFor(absl::Milliseconds(50));
    }
    return "";
  }

  // Starts `count` clients spread over the nodes, each appending one engagement at a time and
  // retrying it until acknowledged; every acknowledged event id goes into `acknowledged`.
  std::vector<std::thread> StartClients(int count, const std::atomic<bool>& stop, std::mutex& mu,
                                        std::vector<std::string>& acknowledged) {
    std::vector<std::thread> clients;
    for (int c = 0; c < count; ++c) {
      clients.emplace_back([&, c] {
        while (!stop.load()) {
          std::string id = AppendOne(c % kNodes, stop);
          if (id.empty()) continue;
          std::lock_guard<std::mutex> lock(mu);
          acknowledged.push_back(id);
        }
      });
    }
    return clients;
  }

  // Every event id in node `i`'s log, with how often it appears.
  std::map<std::string, int> EventIds(int i) {
    std::map<std::string, int> ids;
    grpc::ClientContext context;
    engagement::v1::SubscribeLogRequest request;
    request.set_from_position(1);
    auto head = Info(i);
    if (!head.has_value()) return ids;
    auto reader = Stub(i)->SubscribeLog(&context, request);
    engagement::v1::SubscribeLogResponse response;
    uint64_t seen = 0;
    while (seen < head->head_position() && reader->Read(&response)) {
      for (const auto& event : response.events().events()) {
        ++ids[event.event_id()];
        ++seen;
      }
      if (response.has_event()) {
        ++ids[response.event().event_id()];
        ++seen;
      }
    }
    context.TryCancel();
    return ids;
  }

  // Until every running node has the same head (at most 60 s).
  void WaitForSameHeads() {
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while (absl::Now() < give_up) {
      std::set<std::pair<uint64_t, std::string>> heads;
      bool all = true;
      for (int i = 0; i < kNodes; ++i) {
        auto info = Info(i);
        if (!info.has_value()) {
          all = false;
          break;
        }
        heads.insert({info->head_position(), info->head_hash()});
      }
      if (all && heads.size() == 1) return;
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

  testing_support::TempDir dir_;
  std::unique_ptr<testing_support::NatsCluster> nats_;
  std::vector<int> ports_;
  std::vector<std::unique_ptr<e2e::Process>> nodes_;
};

TEST_F(ClusterTest, KillingTheLeaderThenANatsServerLosesNoAcknowledgedAppend) {
  const int first_leader = WaitForLeader(absl::Seconds(30));
  ASSERT_GE(first_leader, 0) << "no node took the lease; " << Log(0);

  // Clients on every node append one engagement at a time, each retried until acknowledged.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> clients = StartClients(6, stop, mu, acknowledged);
  auto acknowledged_count = [&] {
    std::lock_guard<std::mutex> lock(mu);
    return acknowledged.size();
  };
  // Until more than `count` appends are acknowledged (at most `timeout`): how long it took.
  auto resumed_after = [&](size_t count, absl::Duration timeout) -> std::optional<absl::Duration> {
    const absl::Time started = absl::Now();
    while (absl::Now() - started < timeout) {
      if (acknowledged_count() > count) return absl::Now() - started;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return std::nullopt;
  };
  absl::SleepFor(absl::Seconds(2));
  EXPECT_GT(acknowledged_count(), 0u) << Log(first_leader);

  // kill -9 of the leader under load: another node leads within seconds.
  const absl::Time killed = absl::Now();
  nodes_[first_leader]->Signal(SIGKILL);
  nodes_[first_leader]->Wait();
  const int second_leader = WaitForLeader(absl::Seconds(20), first_leader);
  const absl::Duration takeover = absl::Now() - killed;
  ASSERT_GE(second_leader, 0) << "no new leader; " << Log((first_leader + 1) % kNodes);
  EXPECT_LT(takeover, absl::Seconds(10));
  std::printf("new leader node%d %.1f s after kill -9 of node%d\n", second_leader,
              absl::ToDoubleSeconds(takeover), first_leader);
  EXPECT_TRUE(resumed_after(acknowledged_count(), absl::Seconds(10)).has_value())
      << "appends did not resume; " << Log(second_leader);
  absl::SleepFor(absl::Seconds(1));

  // kill -9 of a NATS server: the stream keeps a quorum of two, appends go on.
  nats_->Kill(2);
  const size_t at_nats_kill = acknowledged_count();
  std::optional<absl::Duration> resumed = resumed_after(at_nats_kill + 10, absl::Seconds(20));
  EXPECT_TRUE(resumed.has_value()) << "appends stopped with one NATS server down; "
                                   << Log(second_leader);
  if (resumed.has_value()) {
    std::printf("appends went on %.1f s after kill -9 of a NATS server\n",
                absl::ToDoubleSeconds(*resumed));
  }
  absl::SleepFor(absl::Seconds(1));

  stop.store(true);
  for (auto& client : clients) client.join();

  // The killed node comes back and catches up from the stream.
  Start(first_leader);
  ASSERT_TRUE(WaitUntilServing(first_leader)) << Log(first_leader);
  WaitForSameHeads();
  std::optional<engagement::v1::GetLedgerInfoResponse> reference;
  for (int i = 0; i < kNodes; ++i) {
    auto info = Info(i);
    ASSERT_TRUE(info.has_value()) << "node" << i;
    if (!reference.has_value()) reference = info;
    EXPECT_EQ(info->head_position(), reference->head_position()) << "node" << i;
    EXPECT_EQ(info->head_hash(), reference->head_hash()) << "node" << i;
    std::map<std::string, int> ids = EventIds(i);
    size_t missing = 0, repeated = 0;
    for (const std::string& id : acknowledged) {
      auto it = ids.find(id);
      if (it == ids.end()) ++missing;
      else if (it->second != 1) ++repeated;
    }
    EXPECT_EQ(missing, 0u) << "node" << i << " lacks acknowledged events";
    EXPECT_EQ(repeated, 0u) << "node" << i << " holds an event twice";
  }
  std::printf("%zu appends acknowledged, every one on all %d nodes once; head %llu\n",
              acknowledged.size(), kNodes,
              static_cast<unsigned long long>(reference->head_position()));
}

TEST_F(ClusterTest, ALeaderFrozenPastItsLeaseCannotAppendWhenItWakes) {
  const int old_leader = WaitForLeader(absl::Seconds(30));
  ASSERT_GE(old_leader, 0);
  std::atomic<bool> stop{false};
  ASSERT_FALSE(AppendOne(old_leader, stop).empty());

  // Frozen (as cut off from the cluster): it cannot renew its lease, and another node leads.
  nodes_[old_leader]->Signal(SIGSTOP);
  const int new_leader = WaitForLeader(absl::Seconds(20), old_leader);
  ASSERT_GE(new_leader, 0) << Log((old_leader + 1) % kNodes);
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(AppendOne(new_leader, stop).empty());

  // An append sent to the old leader as it wakes: it still believed it led, but the stream has
  // moved on, so its publish is refused; the client's retry goes through the new leader.
  std::thread woken([&] {
    absl::SleepFor(absl::Milliseconds(200));
    nodes_[old_leader]->Signal(SIGCONT);
  });
  const std::string id = AppendOne(old_leader, stop);
  woken.join();
  EXPECT_FALSE(id.empty());
  WaitForSameHeads();
  auto reference = Info(new_leader);
  ASSERT_TRUE(reference.has_value());
  for (int i = 0; i < kNodes; ++i) {
    auto info = Info(i);
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->head_hash(), reference->head_hash()) << "node" << i << " forked";
    EXPECT_EQ(EventIds(i)[id], 1) << "node" << i;
  }
  EXPECT_EQ(reference->head_position(), 7u);
  auto old = Info(old_leader);
  EXPECT_FALSE(old->replication().leading());
}

TEST_F(ClusterTest, KillingEveryProcessAtOnceLosesNoAcknowledgedAppend) {
  ASSERT_GE(WaitForLeader(absl::Seconds(30)), 0);
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::thread> clients = StartClients(6, stop, mu, acknowledged);
  absl::SleepFor(absl::Seconds(3));
  // kill -9 of all six processes under load (the machine stays up: what the operating system
  // has been given survives, as in a crash of the software, not a power cut).
  std::vector<std::string> acknowledged_before_kill;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (int i = 0; i < kNodes; ++i) nodes_[i]->Signal(SIGKILL);
    for (int i = 0; i < 3; ++i) nats_->Kill(i);
    acknowledged_before_kill = acknowledged;
  }
  stop.store(true);
  for (auto& client : clients) client.join();
  for (int i = 0; i < kNodes; ++i) nodes_[i]->Wait();
  ASSERT_FALSE(acknowledged_before_kill.empty());

  for (int i = 0; i < 3; ++i) nats_->Start(i);
  for (int i = 0; i < kNodes; ++i) Start(i);
  for (int i = 0; i < kNodes; ++i) ASSERT_TRUE(WaitUntilServing(i)) << Log(i);
  ASSERT_GE(WaitForLeader(absl::Seconds(30)), 0);
  WaitForSameHeads();
  size_t lost = 0;
  for (int i = 0; i < kNodes; ++i) {
    std::map<std::string, int> ids = EventIds(i);
    size_t missing = 0;
    for (const std::string& id : acknowledged_before_kill) missing += ids.count(id) == 0;
    EXPECT_EQ(missing, 0u) << "node" << i;
    lost = std::max(lost, missing);
  }
  std::printf("whole-cluster kill -9: %zu of %zu acknowledged appends lost\n", lost,
              acknowledged_before_kill.size());
}

}  // namespace
