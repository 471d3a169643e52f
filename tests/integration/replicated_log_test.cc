// The replicated ledger's log against a real nats-server with JetStream on 127.0.0.1: nodes in
// this process, each its own RocksDB on disk, one stream between them. What an operator relies
// on: every node has the same log, byte for byte (the same head hash); an append on any node is
// acknowledged once the stream has it and is readable on that node when the answer comes; a
// leader that lost its lease cannot extend the log; a node can be rebuilt from the stream alone;
// and when the leader goes, another node leads within seconds.
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "ledger/append_forwarding.h"
#include "ledger/jetstream_key_directory.h"
#include "ledger/jetstream_replica.h"
#include "ledger/replicated_event_log.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/subject_key_store.h"
#include "ledger/uuid.h"
#include "tests/nats_cluster.h"
#include "tests/test_support.h"

namespace {

using ledger::AppendBatch;
using ledger::ExpectedRevision;

// One node: its log, its replica, its forwarding, and the EventLog its services would use.
struct Node {
  std::unique_ptr<ledger::RocksDbEventLog> local;
  std::unique_ptr<ledger::JetStreamReplica> replica;
  std::unique_ptr<ledger::AppendForwarding> forwarding;
  std::unique_ptr<ledger::ReplicatedEventLog> log;

  // As ledgerd stops: forwarding, then the replica, then the log.
  void Stop() {
    forwarding.reset();
    if (replica != nullptr) replica->Stop();
    if (local != nullptr) local->Close().IgnoreError();
  }
  ~Node() { Stop(); }
};

class ReplicatedLogTest : public ::testing::Test {
 protected:
  void SetUp() override { nats_ = std::make_unique<testing_support::NatsCluster>(1, dir_.Sub("nats")); }

  std::unique_ptr<Node> StartNode(const std::string& name) {
    auto node = std::make_unique<Node>();
    ledger::RocksDbOptions options;
    options.sync = false;  // the stream is the durability point here
    auto local = ledger::RocksDbEventLog::Open(dir_.Sub(name), options);
    EXPECT_TRUE(local.ok()) << local.status();
    if (!local.ok()) return nullptr;
    node->local = *std::move(local);
    ledger::JetStreamOptions replication;
    replication.servers = nats_->UrlList();
    replication.node_id = name;
    replication.replicas = 1;
    replication.lease_ttl = absl::Seconds(1);
    auto replica = ledger::JetStreamReplica::Start(replication, node->local.get());
    EXPECT_TRUE(replica.ok()) << replica.status();
    if (!replica.ok()) return nullptr;
    node->replica = *std::move(replica);
    auto forwarding = ledger::AppendForwarding::Start(node->replica.get(), node->local.get());
    EXPECT_TRUE(forwarding.ok()) << forwarding.status();
    if (!forwarding.ok()) return nullptr;
    node->forwarding = *std::move(forwarding);
    node->log = std::make_unique<ledger::ReplicatedEventLog>(
        node->local.get(), node->replica.get(), node->forwarding.get());
    return node;
  }

  // Until one of `nodes` leads (at most 10 s); nullptr if none does.
  static Node* WaitForLeader(const std::vector<Node*>& nodes) {
    const absl::Time give_up = absl::Now() + absl::Seconds(10);
    while (absl::Now() < give_up) {
      for (Node* node : nodes) {
        if (node->replica->IsLeader()) return node;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    return nullptr;
  }

  // Until every node's head is at `position` (at most 10 s).
  static void WaitForHeads(const std::vector<Node*>& nodes, uint64_t position) {
    for (Node* node : nodes) node->local->WaitForHeadBeyond(position - 1, absl::Seconds(10));
  }

  static AppendBatch Batch(std::vector<engagement::v1::Event> events) {
    AppendBatch batch;
    batch.stream = "engagement-" + testing_support::TestEngagement();
    batch.expected = ExpectedRevision::Any();
    batch.events = std::move(events);
    return batch;
  }
  static AppendBatch Sessions(int n) { return Batch(testing_support::Sessions(n)); }

  static std::vector<std::string> EventIds(const ledger::EventLog& log) {
    std::vector<std::string> ids;
    EXPECT_TRUE(log.ReadLog({}, [&](const engagement::v1::Event& event, absl::string_view) {
                     ids.push_back(event.event_id());
                     return true;
                   }).ok());
    return ids;
  }

  testing_support::TempDir dir_;
  std::unique_ptr<testing_support::NatsCluster> nats_;
};

TEST_F(ReplicatedLogTest, EveryNodeHasTheSameLogWhicheverNodeWasCalled) {
  auto a = StartNode("a");
  auto b = StartNode("b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Node* leader = WaitForLeader({a.get(), b.get()});
  ASSERT_NE(leader, nullptr) << "no node took the lease";
  Node* follower = leader == a.get() ? b.get() : a.get();
  EXPECT_FALSE(follower->replica->IsLeader());

  for (int i = 0; i < 10; ++i) {
    auto on_leader = leader->log->Append(Sessions(3));
    ASSERT_TRUE(on_leader.ok()) << on_leader.status();
    auto on_follower = follower->log->Append(Sessions(2));
    ASSERT_TRUE(on_follower.ok()) << on_follower.status();
    // The follower answers once its own copy has the events: the caller reads its write there.
    EXPECT_GE(follower->local->Head().position, on_follower->positions.back());
  }
  WaitForHeads({a.get(), b.get()}, 50);
  EXPECT_EQ(a->local->Head().position, 50u);
  EXPECT_EQ(b->local->Head().position, 50u);
  EXPECT_EQ(a->local->Head().hash, b->local->Head().hash);
  EXPECT_EQ(*a->local->TreeRoot(50), *b->local->TreeRoot(50));
  EXPECT_EQ(EventIds(*a->log), EventIds(*b->log));
}

TEST_F(ReplicatedLogTest, ARepeatedEventIdIsAnsweredFromTheLedgerNotTheStream) {
  auto a = StartNode("a");
  auto b = StartNode("b");
  ASSERT_NE(WaitForLeader({a.get(), b.get()}), nullptr);
  const engagement::v1::Event event = testing_support::SessionHeldWithId(ledger::NewUuid());
  auto first = a->log->Append(Batch({event}));
  ASSERT_TRUE(first.ok()) << first.status();
  // The same append again, on the other node: nothing is written twice, and the answer names the
  // original position (the ledger's id index decides, with no JetStream duplicate window).
  auto repeat = b->log->Append(Batch({event}));
  ASSERT_TRUE(repeat.ok()) << repeat.status();
  EXPECT_TRUE(repeat->already_appended);
  EXPECT_EQ(repeat->positions, first->positions);
  WaitForHeads({a.get(), b.get()}, 1);
  EXPECT_EQ(a->local->Head().position, 1u);
  EXPECT_EQ(b->local->Head().position, 1u);
}

TEST_F(ReplicatedLogTest, ALeaderBehindTheStreamCannotExtendIt) {
  auto a = StartNode("a");
  auto b = StartNode("b");
  Node* leader = WaitForLeader({a.get(), b.get()});
  ASSERT_NE(leader, nullptr);
  ASSERT_TRUE(leader->log->Append(Sessions(2)).ok());
  const uint64_t cursor = leader->local->ReplicationCursor();
  ASSERT_TRUE(leader->log->Append(Sessions(2)).ok());
  // A leader whose copy ends at an older message (as a partitioned one's would) publishes with
  // that message as the stream's expected last: JetStream refuses, and the node stops leading.
  auto stale = leader->replica->Replicate(cursor, 3, {std::string(40, 'x')});
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted) << stale.status();
  EXPECT_FALSE(leader->replica->IsLeader());
  // The refused record is nowhere; both copies agree, and the cluster goes on appending.
  Node* next = WaitForLeader({a.get(), b.get()});
  ASSERT_NE(next, nullptr);
  ASSERT_TRUE(next->log->Append(Sessions(1)).ok());
  WaitForHeads({a.get(), b.get()}, 5);
  EXPECT_EQ(a->local->Head().position, 5u);
  EXPECT_EQ(a->local->Head().hash, b->local->Head().hash);
}

TEST_F(ReplicatedLogTest, ANodeIsRebuiltFromTheStreamAlone) {
  auto a = StartNode("a");
  ASSERT_NE(WaitForLeader({a.get()}), nullptr);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(a->log->Append(Sessions(5)).ok());
  auto fresh = StartNode("fresh");  // an empty directory
  ASSERT_NE(fresh, nullptr);
  ASSERT_TRUE(fresh->replica->WaitUntilCaughtUp(absl::Seconds(10)).ok());
  EXPECT_EQ(fresh->local->Head().position, 100u);
  EXPECT_EQ(fresh->local->Head().hash, a->local->Head().hash);
  EXPECT_EQ(EventIds(*fresh->log), EventIds(*a->log));
}

TEST_F(ReplicatedLogTest, WhenTheLeaderStopsAnotherNodeLeadsAndKeepsItsLog) {
  auto a = StartNode("a");
  auto b = StartNode("b");
  Node* leader = WaitForLeader({a.get(), b.get()});
  ASSERT_NE(leader, nullptr);
  ASSERT_TRUE(leader->log->Append(Sessions(4)).ok());
  Node* other = leader == a.get() ? b.get() : a.get();
  WaitForHeads({other}, 4);
  const absl::Time stopped = absl::Now();
  leader->Stop();
  ASSERT_NE(WaitForLeader({other}), nullptr);
  EXPECT_LT(absl::Now() - stopped, absl::Seconds(5));
  auto appended = other->log->Append(Sessions(1));
  ASSERT_TRUE(appended.ok()) << appended.status();
  EXPECT_EQ(appended->positions, std::vector<uint64_t>{5});
}

TEST_F(ReplicatedLogTest, ParticipantsKeysAreSharedAndErasedEverywhere) {
  auto a = StartNode("a");
  auto b = StartNode("b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  auto keys_a = ledger::SubjectKeyStore::Open(dir_.Sub("keys-a"), testing_support::TestMasterKey(), {});
  auto keys_b = ledger::SubjectKeyStore::Open(dir_.Sub("keys-b"), testing_support::TestMasterKey(), {});
  auto keys_c = ledger::SubjectKeyStore::Open(dir_.Sub("keys-c"), testing_support::TestMasterKey(), {});
  ASSERT_TRUE(keys_a.ok() && keys_b.ok() && keys_c.ok());
  auto shared_a = ledger::JetStreamKeyDirectory::Start(a->replica.get(), keys_a->get());
  auto shared_b = ledger::JetStreamKeyDirectory::Start(b->replica.get(), keys_b->get());
  ASSERT_TRUE(shared_a.ok()) << shared_a.status();
  ASSERT_TRUE(shared_b.ok()) << shared_b.status();

  // A key made on one node unseals on the other: both use the same key.
  const std::string subject = ledger::NewUuid();
  auto made = (*keys_a)->GetOrCreate(subject);
  ASSERT_TRUE(made.ok()) << made.status();
  auto found = (*keys_b)->Find(subject);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->state, ledger::SubjectKeyState::kPresent);
  EXPECT_EQ(found->key.encryption_key, made->encryption_key);
  auto again = (*keys_b)->GetOrCreate(subject);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->nonce_key, made->nonce_key);

  // Erased on one node, forgotten on the other (which held the key) within seconds, and never
  // given a new key anywhere.
  ASSERT_TRUE((*keys_b)->Erase(subject, absl::Now()).ok());
  const absl::Time give_up = absl::Now() + absl::Seconds(10);
  ledger::SubjectKeyState on_a = ledger::SubjectKeyState::kPresent;
  while (absl::Now() < give_up) {
    on_a = (*keys_a)->Find(subject)->state;
    if (on_a == ledger::SubjectKeyState::kErased) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(on_a, ledger::SubjectKeyState::kErased);
  EXPECT_EQ((*keys_a)->GetOrCreate(subject).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A node that never knew the person learns of the erasure, not of the key.
  auto shared_c = ledger::JetStreamKeyDirectory::Start(a->replica.get(), keys_c->get());
  ASSERT_TRUE(shared_c.ok());
  EXPECT_EQ((*keys_c)->Find(subject)->state, ledger::SubjectKeyState::kErased);
}

}  // namespace
