// Stored bytes edited the way an attacker with disk access would: every edit is caught by
// verification, which names the first bad position (for a stored checkpoint, its tree size).
#include <filesystem>
#include <memory>
#include <optional>

#include "gtest/gtest.h"
#include "ledger/checkpoint.h"
#include "ledger/directory_verifier.h"
#include "ledger/hash_chain.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_event_log.h"
#include "ledger/rocksdb_status.h"
#include "rocksdb/db.h"
#include "tests/history_rewrite.h"
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

  // Signs the tree of the first `size` events with the ledger's key and stores the checkpoint,
  // as the ledger does (its key file beside the data, as ledgerd keeps it by default).
  void SignAndStore(uint64_t size) {
    if (!signer_.has_value()) {
      key_file_ = dir_.Sub("checkpoint.key");
      ASSERT_TRUE(CheckpointSigner::GenerateKeyFile(key_file_).ok());
      auto signer = CheckpointSigner::Load(key_file_, kOrigin);
      ASSERT_TRUE(signer.ok()) << signer.status();
      signer_.emplace(*std::move(signer));
    }
    auto log = RocksDbEventLog::Open(dir_.path(), RocksDbOptions());
    ASSERT_TRUE(log.ok());
    auto root = (*log)->TreeRoot(size);
    ASSERT_TRUE(root.ok());
    auto note = signer_->Sign({kOrigin, size, *root, {}});
    ASSERT_TRUE(note.ok()) << note.status();
    ASSERT_TRUE((*log)->SaveCheckpoint({size, *root, *note}).ok());
  }

  // Verification with the ledger's verifier key, as an auditor who holds it would.
  DirectoryVerifyOptions WithKey() const {
    DirectoryVerifyOptions options;
    options.verifier_key = signer_->VerifierKey();
    return options;
  }

  static constexpr char kOrigin[] = "nhs.example/ledger";
  testing_support::TempDir dir_;
  std::string key_file_;
  std::optional<CheckpointSigner> signer_;
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
  // A checkpoint the ledger genuinely signed when the log had 3 events.
  SignAndStore(3);
  // The attacker changes event 3, re-chains 4 and 5 and has the tree rebuilt from the new
  // records, so that chain and tree agree; the signed checkpoint they cannot re-sign stays.
  const auto edit = [](engagement::v1::Event* e) {
    e->mutable_session_held()->set_title("A workshop that never happened");
  };
  testing_support::TempDir copy;
  std::filesystem::copy(dir_.path(), copy.path(), std::filesystem::copy_options::recursive);
  testing_support::RewriteHistory(dir_.path(), 3, edit, /*drop_checkpoints=*/false);
  ASSERT_FALSE(HasFatalFailure());
  auto verified = VerifyDataDirectory(dir_.path(), WithKey());
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(absl::IsDataLoss(verified.status())) << verified.status();
  EXPECT_EQ(verified.status().message(),
            "position 3: the first 3 events do not have the root of the checkpoint the ledger "
            "signed at that size: history was rewritten");

  // The same rewrite with the checkpoint removed too is a valid history: only a checkpoint
  // signed before (and kept, section 8.4 of docs/storage.md) tells the two apart.
  testing_support::RewriteHistory(copy.path(), 3, edit, /*drop_checkpoints=*/true);
  ASSERT_FALSE(HasFatalFailure());
  auto rewritten = VerifyDataDirectory(copy.path());
  ASSERT_TRUE(rewritten.ok()) << rewritten.status();
  EXPECT_EQ(rewritten->events, 5u);
  EXPECT_EQ(rewritten->checkpoints, 0u);
}

TEST_F(CorruptionTest, ATailTruncatedBelowASignedCheckpointIsCaughtAndNamed) {
  SignAndStore(5);
  // The attacker drops events 4 and 5 and the stream index entries that point to them, so the
  // chain and the index end together at 3.
  {
    testing_support::RawDatabase raw(dir_.path());
    rocksdb::ColumnFamilyHandle* streams = raw.family(log_format::kStreamsFamily);
    std::unique_ptr<rocksdb::Iterator> it(raw.db()->NewIterator(rocksdb::ReadOptions(), streams));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint64_t position = 0;
      ASSERT_TRUE(log_format::DecodeFixed64BE(View(it->value()), &position));
      if (position > 3) {
        ASSERT_TRUE(raw.db()->Delete(rocksdb::WriteOptions(), streams, it->key()).ok());
      }
    }
    for (uint64_t position : {4, 5}) {
      ASSERT_TRUE(raw.db()
                      ->Delete(rocksdb::WriteOptions(), raw.family(log_format::kLogFamily),
                               log_format::PositionKey(position))
                      .ok());
    }
  }
  auto verified = VerifyDataDirectory(dir_.path(), WithKey());
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(absl::IsDataLoss(verified.status())) << verified.status();
  EXPECT_EQ(verified.status().message(),
            "position 4: missing (the log ends at 3 but the ledger signed a checkpoint of 5 events)");
}

TEST_F(CorruptionTest, AStoredCheckpointWithAForgedRootIsCaughtByItsSignature) {
  SignAndStore(5);
  auto clean = VerifyDataDirectory(dir_.path(), WithKey());
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->verifier_key, signer_->VerifierKey());
  EXPECT_EQ(clean->checkpoints, 1u);

  // The attacker stores another root beside the signed note (as a rewritten history would need).
  testing_support::RawDatabase(dir_.path()).EditValue(
      log_format::kCheckpointsFamily, log_format::EncodeFixed64BE(5), [](std::string& value) {
        value.replace(0, log_format::kHashSize, std::string(log_format::kHashSize, 'x'));
      });
  auto verified = VerifyDataDirectory(dir_.path(), WithKey());
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(absl::IsDataLoss(verified.status())) << verified.status();
  EXPECT_EQ(verified.status().message(),
            "position 5: the checkpoint stored for 5 events signs another tree size or root than "
            "it is stored with");

  // Without a key the stored checkpoints are not taken on their roots alone: refused.
  auto no_key = VerifyDataDirectory(dir_.path());
  EXPECT_TRUE(absl::IsFailedPrecondition(no_key.status())) << no_key.status();
  EXPECT_NE(no_key.status().message().find("no key was given"), absl::string_view::npos)
      << no_key.status();

  // A key the auditor does not trust signs nothing here.
  ASSERT_TRUE(CheckpointSigner::GenerateKeyFile(dir_.Sub("other.pem")).ok());
  DirectoryVerifyOptions other;
  other.verifier_key = CheckpointSigner::Load(dir_.Sub("other.pem"), kOrigin)->VerifierKey();
  verified = VerifyDataDirectory(dir_.path(), other);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().message().rfind(
                "position 5: the checkpoint stored for 5 events is not signed by the given "
                "verifier key",
                0),
            0u)
      << verified.status();
}

TEST_F(CorruptionTest, AlteredCheckpointSignatureIsCaughtWithTheKeyBesideTheData) {
  SignAndStore(5);
  // No --verifier_key: the key file that came with the data checks the signatures.
  DirectoryVerifyOptions data_key;
  data_key.key_file = key_file_;
  auto clean = VerifyDataDirectory(dir_.path(), data_key);
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_EQ(clean->verifier_key, signer_->VerifierKey());

  // One byte of the signature changed (the key ID before it left alone).
  testing_support::RawDatabase(dir_.path()).EditValue(
      log_format::kCheckpointsFamily, log_format::EncodeFixed64BE(5), [](std::string& value) {
        ASSERT_EQ(value.substr(value.size() - 2), "=\n");
        char& signature_byte = value[value.size() - 6];
        signature_byte = signature_byte == 'A' ? 'B' : 'A';
      });
  auto verified = VerifyDataDirectory(dir_.path(), data_key);
  ASSERT_FALSE(verified.ok());
  EXPECT_TRUE(absl::IsDataLoss(verified.status())) << verified.status();
  EXPECT_EQ(verified.status().message().rfind(
                absl::StrCat("position 5: the checkpoint stored for 5 events is not signed by the "
                             "key in ", key_file_, ": "),
                0),
            0u)
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
