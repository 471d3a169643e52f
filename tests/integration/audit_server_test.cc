// Checkpoints and proofs from a real server, checked client-side the way an auditor would: with
// the published key, the RFC 9162 verifiers and nothing else trusted.
#include <grpcpp/grpcpp.h>

#include <filesystem>

#include "engagement/v1/audit.grpc.pb.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/checkpoint.h"
#include "ledger/log_format.h"
#include "ledger/merkle_tree.h"
#include "rocksdb/db.h"
#include "services/ledger_server.h"
#include "tests/raw_database.h"
#include "tests/local_server.h"
#include "tests/test_support.h"

namespace {

using engagement::v1::AuditService;
using engagement::v1::LedgerService;

class AuditServerTest : public ::testing::Test {
 protected:
  void Start(const std::string& data = "data") {
    services::ServerOptions options = testing_support::LocalServerOptions(dir_.Sub(data));
    options.checkpoint_interval = absl::ZeroDuration();
    options.sign_checkpoint_on_stop = sign_on_stop_;
    auto server = services::LedgerServer::Start(options);
    start_status_ = server.status();
    if (!server.ok()) return;
    server_ = *std::move(server);
    auto channel = testing_support::OperatorChannel(*server_, dir_.Sub(data));
    ledger_ = LedgerService::NewStub(channel);
    audit_ = AuditService::NewStub(channel);
  }
  void Stop() {
    if (server_) {
      ASSERT_TRUE(server_->Shutdown(absl::Seconds(5)).ok());
    }
    server_.reset();
  }
  std::vector<std::string> Append(std::vector<engagement::v1::Event> events) {
    engagement::v1::AppendEventsRequest request;
    request.set_stream(testing_support::EngagementStream());
    request.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
    for (auto& e : events) *request.add_events() = e;
    grpc::ClientContext context;
    engagement::v1::AppendEventsResponse response;
    EXPECT_TRUE(ledger_->AppendEvents(&context, request, &response).ok());
    return {response.event_ids().begin(), response.event_ids().end()};
  }
  engagement::v1::SignedCheckpoint Checkpoint() {
    grpc::ClientContext context;
    engagement::v1::GetCheckpointResponse response;
    EXPECT_TRUE(audit_->GetCheckpoint(&context, {}, &response).ok());
    return response.checkpoint();
  }
  std::string VerifierKey() {
    grpc::ClientContext context;
    engagement::v1::GetPublicKeyResponse response;
    EXPECT_TRUE(audit_->GetPublicKey(&context, {}, &response).ok());
    return response.verifier_key();
  }

  testing_support::TempDir dir_;
  std::unique_ptr<services::LedgerServer> server_;
  absl::Status start_status_;
  bool sign_on_stop_ = true;
  std::unique_ptr<LedgerService::Stub> ledger_;
  std::unique_ptr<AuditService::Stub> audit_;
};

TEST_F(AuditServerTest, CheckpointsAndProofsVerifyClientSide) {
  Start();
  ASSERT_TRUE(start_status_.ok()) << start_status_;
  Append({testing_support::EngagementOpened()});
  auto ids = Append(testing_support::Sessions(6));
  std::string key = VerifierKey();
  engagement::v1::SignedCheckpoint first = Checkpoint();
  EXPECT_EQ(first.tree_size(), 7u);
  auto parsed = ledger::ParseAndVerify(first.note(), key);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->tree_size, 7u);
  EXPECT_EQ(parsed->root_hash, first.root_hash());

  // Inclusion of an event, by id, against that checkpoint.
  engagement::v1::GetInclusionProofRequest request;
  request.set_event_id(ids[2]);
  grpc::ClientContext context;
  engagement::v1::GetInclusionProofResponse inclusion;
  ASSERT_TRUE(audit_->GetInclusionProof(&context, request, &inclusion).ok());
  EXPECT_EQ(inclusion.event().event_id(), ids[2]);
  std::vector<std::string> proof(inclusion.proof().begin(), inclusion.proof().end());
  EXPECT_TRUE(ledger::VerifyInclusion(ledger::MerkleLeafHash(inclusion.canonical_record()),
                                      inclusion.leaf_index(), 7, proof, first.root_hash())
                  .ok());

  // The log grows; a checkpoint signed on demand is consistent with the first.
  Append(testing_support::Sessions(5));
  engagement::v1::SignedCheckpoint second;
  {
    grpc::ClientContext sign_context;
    engagement::v1::SignCheckpointResponse signed_now;
    ASSERT_TRUE(audit_->SignCheckpoint(&sign_context, {}, &signed_now).ok());
    second = signed_now.checkpoint();
  }
  EXPECT_EQ(second.tree_size(), 12u);
  grpc::ClientContext context2;
  engagement::v1::GetConsistencyProofRequest consistency_request;
  consistency_request.set_old_size(7);
  engagement::v1::GetConsistencyProofResponse consistency;
  ASSERT_TRUE(audit_->GetConsistencyProof(&context2, consistency_request, &consistency).ok());
  std::vector<std::string> cproof(consistency.proof().begin(), consistency.proof().end());
  EXPECT_TRUE(ledger::VerifyConsistency(7, 12, cproof, first.root_hash(), second.root_hash()).ok());

  grpc::ClientContext context3;
  engagement::v1::ListCheckpointsResponse all;
  ASSERT_TRUE(audit_->ListCheckpoints(&context3, {}, &all).ok());
  EXPECT_GE(all.checkpoints_size(), 3);  // at start (empty log), 7, 12
}

TEST_F(AuditServerTest, ReadersAskingOftenDoNotMakeTheLedgerSignForEachOfThem) {
  Start();
  ASSERT_TRUE(start_status_.ok()) << start_status_;
  auto count = [&] {
    grpc::ClientContext context;
    engagement::v1::ListCheckpointsResponse all;
    EXPECT_TRUE(audit_->ListCheckpoints(&context, {}, &all).ok());
    return all.checkpoints_size();
  };
  const int before = count();
  absl::Time start = absl::Now();
  Append({testing_support::EngagementOpened()});
  uint64_t last_size = 0;
  for (int i = 0; i < 30; ++i) {
    Append(testing_support::Sessions(1));
    engagement::v1::SignedCheckpoint latest = Checkpoint();
    EXPECT_GE(latest.tree_size(), last_size) << "checkpoints never go backwards";
    last_size = latest.tree_size();
  }
  // One a second at most (plus the first), not one per call while the head moves.
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  EXPECT_LE(count() - before, 2 + static_cast<int>(seconds)) << "over " << seconds << " s";
  // A proof of the newest event is still given: against a checkpoint signed for it.
  engagement::v1::GetInclusionProofRequest request;
  request.set_position(31);
  grpc::ClientContext context;
  engagement::v1::GetInclusionProofResponse inclusion;
  ASSERT_TRUE(audit_->GetInclusionProof(&context, request, &inclusion).ok());
  EXPECT_EQ(inclusion.tree_size(), 31u);
  // Asking for events that do not exist does not make the ledger sign before refusing.
  const int signed_so_far = count();
  absl::Time asking = absl::Now();
  for (int i = 0; i < 10; ++i) {
    Append(testing_support::Sessions(1));
    request.set_position(1'000'000);
    grpc::ClientContext beyond;
    EXPECT_EQ(audit_->GetInclusionProof(&beyond, request, &inclusion).error_code(),
              grpc::StatusCode::OUT_OF_RANGE);
    engagement::v1::GetConsistencyProofRequest consistency;
    consistency.set_old_size(1'000'000);
    engagement::v1::GetConsistencyProofResponse proof;
    grpc::ClientContext beyond_too;
    EXPECT_FALSE(audit_->GetConsistencyProof(&beyond_too, consistency, &proof).ok());
  }
  const double asked_for = absl::ToDoubleSeconds(absl::Now() - asking);
  EXPECT_LE(count() - signed_so_far, 1 + static_cast<int>(asked_for)) << "over " << asked_for << " s";
}

TEST_F(AuditServerTest, RestartVerifiesOnlyTheTailAndRefusesATamperedOne) {
  Start();
  Append({testing_support::EngagementOpened()});
  Append(testing_support::Sessions(4));
  Stop();  // signs a last checkpoint: 5 events
  sign_on_stop_ = false;  // from here on, stops are like crashes: no last checkpoint
  Start();
  ASSERT_TRUE(start_status_.ok()) << start_status_;
  EXPECT_EQ(server_->verified_at_start(), 0u);  // nothing after the checkpoint
  EXPECT_EQ(server_->rules_replayed_at_start(), 0u);  // the rules' state is stored with the log
  Append(testing_support::Sessions(3));
  Stop();
  std::filesystem::copy(dir_.Sub("data"), dir_.Sub("copy"), std::filesystem::copy_options::recursive);
  Start();
  ASSERT_TRUE(start_status_.ok()) << start_status_;
  EXPECT_EQ(server_->verified_at_start(), 3u);  // only the tail since the checkpoint
  EXPECT_EQ(server_->rules_replayed_at_start(), 0u);
  Stop();
  // Edit a record after the last checkpoint, as an attacker with the disk would.
  {
    testing_support::RawDatabase raw(dir_.Sub("copy/log"));
    rocksdb::ColumnFamilyHandle* log = raw.family(ledger::log_format::kLogFamily);
    std::string value;
    auto key = ledger::log_format::PositionKey(6);
    ASSERT_TRUE(raw.db()->Get(rocksdb::ReadOptions(), log, key, &value).ok());
    value[value.find("Co-design")] = 'X';
    ASSERT_TRUE(raw.db()->Put(rocksdb::WriteOptions(), log, key, value).ok());
  }
  Start("copy");
  EXPECT_TRUE(absl::IsDataLoss(start_status_)) << start_status_;
  EXPECT_NE(start_status_.message().find("position 6"), absl::string_view::npos) << start_status_;
}

}  // namespace
