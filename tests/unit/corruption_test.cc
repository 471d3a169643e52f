// Stored bytes edited the way an attacker with disk access would: every edit is caught by
// verification, which names the first bad position.
#include <memory>

#include "gtest/gtest.h"
#include "ledger/checkpoint.h"
#include "ledger/directory_verifier.h"
#include "ledger/hash_chain.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_event_log.h"
#include "rocksdb/db.h"
#include "tests/raw_database.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

using testing_support::EngagementStream;
using testing_support::SessionHeld;

// A log of five events in one stream, then raw access to its "log" column family.
class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok());
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE((*log)->Append({EngagementStream(), ExpectedRevision::Any(), {SessionHeld()}}).ok());
    }
  }

  // Runs `edit` on the raw database with the log closed.
  void EditRaw(const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle*)>& edit) {
    auto log = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok());
    edit((*log)->db(), (*log)->log_family());
  }

  std::string Get(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, uint64_t position) {
    std::string value;
    EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), cf, log_format::PositionKey(position), &value).ok());
    return value;
  }

  void ExpectFailureAt(uint64_t position) {
    auto verified = VerifyDataDirectory(dir_.path());
    ASSERT_FALSE(verified.ok());
    EXPECT_TRUE(absl::IsDataLoss(verified.status())) << verified.status();
    EXPECT_EQ(verified.status().message().rfind(absl::StrCat("position ", position, ":"), 0), 0u)
        << verified.status();
  }

  testing_support::TempDir dir_;
};

TEST_F(CorruptionTest, CleanLogVerifies) {
  auto verified = VerifyDataDirectory(dir_.path());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_EQ(verified->events, 5u);
}

TEST_F(CorruptionTest, ChangedPayloadByteIsCaughtAtItsPosition) {
  EditRaw([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    std::string value = Get(db, cf, 3);
    size_t at = value.find("Co-design");
    ASSERT_NE(at, std::string::npos);
    value[at] = 'X';
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, log_format::PositionKey(3), value).ok());
  });
  ExpectFailureAt(3);
}

TEST_F(CorruptionTest, ChangedPayloadWithRecomputedHashIsCaughtByTheNextLink) {
  EditRaw([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    std::string value = Get(db, cf, 3);
    std::string record = value.substr(log_format::kHashSize);
    record[record.find("Co-design")] = 'X';
    std::string previous = Get(db, cf, 2).substr(0, log_format::kHashSize);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, log_format::PositionKey(3),
                        ChainHash(previous, record) + record).ok());
  });
  ExpectFailureAt(4);
}

TEST_F(CorruptionTest, DroppedEventIsCaught) {
  EditRaw([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, log_format::PositionKey(3)).ok());
  });
  ExpectFailureAt(3);
}

TEST_F(CorruptionTest, ReorderedEventsAreCaught) {
  EditRaw([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    std::string two = Get(db, cf, 2), three = Get(db, cf, 3);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, log_format::PositionKey(2), three).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, log_format::PositionKey(3), two).ok());
  });
  ExpectFailureAt(2);
}

TEST_F(CorruptionTest, TruncatedTailIsCaught) {
  EditRaw([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, log_format::PositionKey(5)).ok());
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), cf, log_format::PositionKey(4)).ok());
  });
  ExpectFailureAt(4);
}

TEST_F(CorruptionTest, ATailReplacedWithAValidLookingOneIsCaughtByTheSignedCheckpoint) {
  {
    auto log = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok());
    auto root = (*log)->TreeRoot(5);
    ASSERT_TRUE(root.ok());
    ASSERT_TRUE((*log)->SaveCheckpoint({5, *root, "signed note"}).ok());
  }
  // The attacker rewrites the last event, re-chains its hash...
  EditRaw([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    std::string record = Get(db, cf, 5).substr(log_format::kHashSize);
    record[record.find("Co-design")] = 'X';
    std::string previous = Get(db, cf, 4).substr(0, log_format::kHashSize);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, log_format::PositionKey(5),
                        ChainHash(previous, record) + record).ok());
  });
  // ...and has the tree rebuilt from the new records, so that chain and tree agree.
  {
    testing_support::RawDatabase raw(dir_.path());
    ASSERT_TRUE(raw.db()->DropColumnFamily(raw.family(merkle_format::kMerkleFamily)).ok());
    ASSERT_TRUE(raw.db()
                    ->Delete(rocksdb::WriteOptions(), raw.family(log_format::kMetaFamily),
                             log_format::kTreeSizeKey)
                    .ok());
  }
  ASSERT_TRUE(RocksDbEventLog::Open(dir_.path(), RocksDbOptions()).ok());  // rebuilds the tree
  auto verified = VerifyDataDirectory(dir_.path());
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(absl::IsDataLoss(verified.status()));
  EXPECT_NE(verified.status().message().find("history was rewritten"), absl::string_view::npos)
      << verified.status();
}

TEST_F(CorruptionTest, AStoredCheckpointWithAForgedRootIsCaughtByItsSignature) {
  ASSERT_TRUE(CheckpointSigner::GenerateKeyFile(dir_.Sub("key.pem")).ok());
  absl::StatusOr<CheckpointSigner> signer =
      CheckpointSigner::Load(dir_.Sub("key.pem"), "nhs.example/ledger");
  ASSERT_TRUE(signer.ok()) << signer.status();
  {
    auto log = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok());
    auto root = (*log)->TreeRoot(5);
    ASSERT_TRUE(root.ok());
    auto note = signer->Sign({"nhs.example/ledger", 5, *root, {}});
    ASSERT_TRUE(note.ok()) << note.status();
    ASSERT_TRUE((*log)->SaveCheckpoint({5, *root, *note}).ok());
  }
  DirectoryVerifyOptions with_key;
  with_key.verifier_key = signer->VerifierKey();
  auto clean = VerifyDataDirectory(dir_.path(), with_key);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_TRUE(clean->signatures_checked);
  EXPECT_EQ(clean->checkpoints, 1u);

  // The attacker stores another root beside the signed note (as a rewritten history would need).
  {
    testing_support::RawDatabase raw(dir_.path());
    rocksdb::ColumnFamilyHandle* checkpoints = raw.family(log_format::kCheckpointsFamily);
    std::string value;
    ASSERT_TRUE(raw.db()
                    ->Get(rocksdb::ReadOptions(), checkpoints, log_format::EncodeFixed64BE(5),
                          &value)
                    .ok());
    value.replace(0, log_format::kHashSize, std::string(log_format::kHashSize, 'x'));
    ASSERT_TRUE(raw.db()
                    ->Put(rocksdb::WriteOptions(), checkpoints, log_format::EncodeFixed64BE(5),
                          value)
                    .ok());
  }
  // Checked by root only, this forgery is caught too, as the records still have the old root;
  // after a consistent rewrite of records, tree and root, only the signature would catch it.
  auto unsigned_check = VerifyDataDirectory(dir_.path());
  ASSERT_FALSE(unsigned_check.ok());
  EXPECT_NE(unsigned_check.status().message().find("history was rewritten"), absl::string_view::npos)
      << unsigned_check.status();
  auto verified = VerifyDataDirectory(dir_.path(), with_key);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(absl::IsDataLoss(verified.status())) << verified.status();
  EXPECT_EQ(verified.status().message().rfind("position 5:", 0), 0u) << verified.status();

  // A key the auditor does not trust signs nothing here.
  ASSERT_TRUE(CheckpointSigner::GenerateKeyFile(dir_.Sub("other.pem")).ok());
  with_key.verifier_key =
      CheckpointSigner::Load(dir_.Sub("other.pem"), "nhs.example/ledger")->VerifierKey();
  verified = VerifyDataDirectory(dir_.path(), with_key);
  ASSERT_FALSE(verified.ok());
  EXPECT_NE(verified.status().message().find("not signed by the given verifier key"),
            absl::string_view::npos)
      << verified.status();
}

TEST_F(CorruptionTest, DamagedHeadStopsTheLogFromOpening) {
  EditRaw([&](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf) {
    std::string value = Get(db, cf, 5);
    value[value.find("Co-design")] = 'X';
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), cf, log_format::PositionKey(5), value).ok());
  });
  auto log = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
  EXPECT_TRUE(absl::IsDataLoss(log.status())) << log.status();
}

}  // namespace
}  // namespace ledger
