// Crypto-shredding: sealed boxes, the master key, and the per-subject key store, whose erasure must
// leave the subject's wrapped data key in no file under its directory.
#include "ledger/subject_key_store.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/master_key.h"
#include "ledger/sealed_box.h"
#include "rocksdb/db.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

namespace fs = std::filesystem;
using testing_support::TempDir;
using testing_support::TestMasterKey;

const std::string kKey(32, 'k');
const std::string kNonceKey(32, 'n');

TEST(SealedBoxTest, ASealedValueOpensWithItsKeyAndAssociatedData) {
  auto sealed = Seal(kKey, "owner-1", "a data key");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->size(), std::string("a data key").size() + kSealOverhead);
  EXPECT_FALSE(absl::StrContains(*sealed, "a data key"));
  auto opened = Open(kKey, "owner-1", *sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "a data key");
  EXPECT_NE(*Seal(kKey, "owner-1", "a data key"), *sealed) << "Seal's nonce must be random";
  auto empty = Seal(kKey, "", "");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*Open(kKey, "", *empty), "");
}

TEST(SealedBoxTest, SyntheticSealingGivesTheSameBytesForTheSameInputsOnly) {
  auto once = SealSynthetic(kKey, kNonceKey, "aad", "Ada, ada@example.org");
  auto again = SealSynthetic(kKey, kNonceKey, "aad", "Ada, ada@example.org");
  ASSERT_TRUE(once.ok() && again.ok());
  EXPECT_EQ(*once, *again);
  EXPECT_NE(*SealSynthetic(kKey, kNonceKey, "aad", "Bob, ada@example.org"), *once);
  EXPECT_NE(SealSynthetic(kKey, kNonceKey, "aad", "Bob, ada@example.org")->substr(0, kSealNonceSize),
            once->substr(0, kSealNonceSize))
      << "different plaintexts must get different nonces";
  EXPECT_NE(SealSynthetic(kKey, kNonceKey, "aad2", "Ada, ada@example.org")->substr(0, kSealNonceSize),
            once->substr(0, kSealNonceSize));
  EXPECT_NE(*SealSynthetic(kKey, std::string(32, 'm'), "aad", "Ada, ada@example.org"), *once);
  EXPECT_EQ(*Open(kKey, "aad", *once), "Ada, ada@example.org");
}

TEST(SealedBoxTest, AnotherKeyAnotherOwnerOrAnyAlteredByteDoesNotOpen) {
  std::string sealed = *SealSynthetic(kKey, kNonceKey, "participant-1", "personal data");
  EXPECT_TRUE(absl::IsDataLoss(Open(kKey, "participant-2", sealed).status()));
  EXPECT_TRUE(absl::IsDataLoss(Open(std::string(32, 'K'), "participant-1", sealed).status()));
  for (size_t i = 0; i < sealed.size(); ++i) {  // nonce, ciphertext and tag alike
    std::string altered = sealed;
    altered[i] ^= 0x20;
    EXPECT_TRUE(absl::IsDataLoss(Open(kKey, "participant-1", altered).status())) << "byte " << i;
  }
  EXPECT_TRUE(absl::IsDataLoss(Open(kKey, "participant-1", sealed.substr(0, 20)).status()));
  EXPECT_TRUE(absl::IsDataLoss(Open(kKey, "participant-1", sealed + "x").status()));
  auto refused = Open(kKey, "participant-2", sealed);
  EXPECT_FALSE(absl::StrContains(refused.status().message(), "personal data"));
}

TEST(MasterKeyTest, BadHexIsRefusedWithoutRepeatingIt) {
  const std::string good(64, 'a');
  for (const std::string& bad : {std::string(""), std::string(63, 'a'), std::string(65, 'a'),
                                 "secret" + std::string(58, 'a'), std::string(62, 'a') + "zz",
                                 std::string(32, 'a') + " " + std::string(31, 'a')}) {
    auto key = MasterKey::FromHex(bad);
    ASSERT_FALSE(key.ok()) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(key.status())) << key.status();
    if (bad.size() > 8) {
      EXPECT_FALSE(absl::StrContains(key.status().message(), bad.substr(0, 8))) << key.status();
    }
    EXPECT_FALSE(absl::StrContains(key.status().message(), "secret"));
  }
  auto spaced = MasterKey::FromHex("  " + good + "\n");
  ASSERT_TRUE(spaced.ok()) << spaced.status();
  EXPECT_EQ(spaced->bytes(), std::string(32, '\xaa'));
  EXPECT_EQ(MasterKey::FromHex(std::string(64, 'A'))->id(), spaced->id());
  EXPECT_EQ(spaced->id().size(), 16u);
  EXPECT_FALSE(absl::StrContains(good, spaced->id())) << "the id must not reveal the key";
  EXPECT_NE(TestMasterKey().id(), spaced->id());
}

TEST(MasterKeyTest, GenerateFileWritesAPrivateKeyFileThatReadsBackAndIsNeverOverwritten) {
  TempDir dir;
  const std::string path = dir.Sub("master.key");
  ASSERT_TRUE(MasterKey::GenerateFile(path).ok());
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto key = MasterKey::FromFile(path);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->bytes().size(), 32u);
  EXPECT_NE(key->bytes(), std::string(32, '\0'));
  EXPECT_FALSE(MasterKey::GenerateFile(path).ok()) << "an existing key file must not be replaced";
  EXPECT_EQ(MasterKey::FromFile(path)->id(), key->id());
  EXPECT_TRUE(absl::IsNotFound(MasterKey::FromFile(dir.Sub("missing.key")).status()));
  std::ofstream(dir.Sub("bad.key")) << "not-a-key-but-a-password\n";
  auto bad = MasterKey::FromFile(dir.Sub("bad.key"));
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_FALSE(absl::StrContains(bad.status().message(), "password")) << bad.status();
}

class SubjectKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto store = SubjectKeyStore::Open(path_, TestMasterKey(), {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // The stored value of `key` in the store at `directory`, read with RocksDB itself (the store
  // must be closed).
  static std::string RawValue(const std::string& directory, const std::string& key) {
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), directory, &raw);
    EXPECT_TRUE(s.ok()) << s.ToString();
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    if (db != nullptr) {
      EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), key, &value).ok());
    }
    return value;
  }

  // The regular files under `directory` (recursively) that hold `bytes`.
  static std::vector<std::string> FilesHolding(const std::string& directory,
                                               absl::string_view bytes) {
    std::vector<std::string> found;
    for (const auto& entry : fs::recursive_directory_iterator(directory)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream content;
      content << in.rdbuf();
      if (absl::StrContains(content.str(), bytes)) found.push_back(entry.path().string());
    }
    return found;
  }

  TempDir dir_;
  const std::string path_ = dir_.Sub("keys");
  std::unique_ptr<SubjectKeyStore> store_;
  const std::string subject_ = "0196a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b";
};

TEST_F(SubjectKeyStoreTest, ASubjectKeepsItsKeyAcrossCallsAndReopening) {
  auto first = store_->GetOrCreate(subject_);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->encryption_key.size(), kSealKeySize);
  EXPECT_EQ(first->nonce_key.size(), kSealKeySize);
  EXPECT_NE(first->encryption_key, first->nonce_key);
  auto second = store_->GetOrCreate(subject_);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->encryption_key, first->encryption_key);
  EXPECT_EQ(second->nonce_key, first->nonce_key);
  auto other = store_->GetOrCreate("another-subject");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->encryption_key, first->encryption_key);

  Reopen();
  auto reopened = store_->GetOrCreate(subject_);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(reopened->encryption_key, first->encryption_key);
  auto found = store_->Find(subject_);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->state, SubjectKeyState::kPresent);
  EXPECT_EQ(found->key.nonce_key, first->nonce_key);
  EXPECT_EQ(*store_->Count(), std::make_pair(uint64_t{2}, uint64_t{0}));
}

TEST_F(SubjectKeyStoreTest, AnotherMasterKeyCannotOpenTheStore) {
  ASSERT_TRUE(store_->GetOrCreate(subject_).ok());
  store_.reset();
  MasterKey other = *MasterKey::FromHex(std::string(63, '0') + "1");
  auto refused = SubjectKeyStore::Open(path_, other, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), other.id())) << refused.status();
  EXPECT_TRUE(absl::StrContains(refused.status().message(), TestMasterKey().id()));
  Reopen();  // the right key still opens it
  EXPECT_EQ(store_->Find(subject_)->state, SubjectKeyState::kPresent);
}

TEST_F(SubjectKeyStoreTest, AnUnknownSubjectHasNoKey) {
  auto found = store_->Find(subject_);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->state, SubjectKeyState::kNone);
  EXPECT_TRUE(found->key.encryption_key.empty());
}

TEST_F(SubjectKeyStoreTest, AnErasedSubjectIsNeverGivenAKeyAgain) {
  ASSERT_TRUE(store_->GetOrCreate(subject_).ok());
  ASSERT_TRUE(store_->Erase(subject_, absl::FromUnixSeconds(1767225600)).ok());
  EXPECT_EQ(store_->Find(subject_)->state, SubjectKeyState::kErased);
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->GetOrCreate(subject_).status()));
  EXPECT_TRUE(store_->Erase(subject_, absl::FromUnixSeconds(1767225601)).ok()) << "idempotent";
  Reopen();
  EXPECT_EQ(store_->Find(subject_)->state, SubjectKeyState::kErased);
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->GetOrCreate(subject_).status()));
  // A subject erased before it ever had a key is refused one too.
  ASSERT_TRUE(store_->Erase("never-keyed", absl::FromUnixSeconds(1767225600)).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(store_->GetOrCreate("never-keyed").status()));
  EXPECT_EQ(*store_->Count(), std::make_pair(uint64_t{0}, uint64_t{2}));
}

TEST_F(SubjectKeyStoreTest, ErasureLeavesTheWrappedKeyInNoFileUnderTheDirectory) {
  ASSERT_TRUE(store_->GetOrCreate("bystander").ok());
  ASSERT_TRUE(store_->GetOrCreate(subject_).ok());
  store_.reset();
  const std::string stored = RawValue(path_, "k" + subject_);
  ASSERT_EQ(stored.substr(0, 16), TestMasterKey().id());
  const std::string wrapped = stored.substr(16);
  ASSERT_EQ(wrapped.size(), 2 * kSealKeySize + kSealOverhead);
  // The scan can see the key while it exists (in an SST file or the write-ahead log).
  EXPECT_FALSE(FilesHolding(path_, wrapped).empty());

  Reopen();  // recovery moves the key from the write-ahead log into a table file
  EXPECT_FALSE(FilesHolding(path_, wrapped).empty());
  ASSERT_TRUE(store_->Erase(subject_, absl::FromUnixSeconds(1767225600)).ok());
  store_.reset();
  for (absl::string_view bytes : {absl::string_view(wrapped), absl::string_view(wrapped).substr(0, 16)}) {
    std::vector<std::string> holding = FilesHolding(path_, bytes);
    EXPECT_TRUE(holding.empty()) << "still in " << holding.front();
  }
  Reopen();
  EXPECT_EQ(store_->Find("bystander")->state, SubjectKeyState::kPresent);
}

TEST_F(SubjectKeyStoreTest, ErasureInTheSameSessionLeavesTheKeyInNoFile) {
  // The key is still only in the memtable and the write-ahead log when it is erased. A copy of
  // the files (synced, as every write is) shows what it was.
  ASSERT_TRUE(store_->GetOrCreate(subject_).ok());
  const std::string copy = dir_.Sub("copy-of-files");
  fs::copy(path_, copy, fs::copy_options::recursive);
  const std::string wrapped = RawValue(copy, "k" + subject_).substr(16);
  ASSERT_EQ(wrapped.size(), 2 * kSealKeySize + kSealOverhead);
  EXPECT_FALSE(FilesHolding(path_, wrapped).empty());

  ASSERT_TRUE(store_->Erase(subject_, absl::FromUnixSeconds(1767225600)).ok());
  std::vector<std::string> holding = FilesHolding(path_, wrapped);
  EXPECT_TRUE(holding.empty()) << "still in " << holding.front() << " with the store open";
  store_.reset();
  holding = FilesHolding(path_, wrapped);
  EXPECT_TRUE(holding.empty()) << "still in " << holding.front();
}

TEST_F(SubjectKeyStoreTest, PendingErasuresAreListedUntilCompletedOrCancelled) {
  ASSERT_TRUE(store_->GetOrCreate("alice").ok());
  ASSERT_TRUE(store_->BeginErasure("alice").ok());
  ASSERT_TRUE(store_->BeginErasure("bob").ok());
  EXPECT_EQ(*store_->PendingErasures(), (std::vector<std::string>{"alice", "bob"}));
  Reopen();  // as after a crash
  EXPECT_EQ(*store_->PendingErasures(), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(store_->Find("alice")->state, SubjectKeyState::kPresent) << "begun, not done";
  ASSERT_TRUE(store_->CancelErasure("bob").ok());
  EXPECT_EQ(*store_->PendingErasures(), (std::vector<std::string>{"alice"}));
  ASSERT_TRUE(store_->Erase("alice", absl::FromUnixSeconds(1767225600)).ok());
  EXPECT_TRUE(store_->PendingErasures()->empty());
  EXPECT_EQ(store_->Find("bob")->state, SubjectKeyState::kNone);
}

TEST_F(SubjectKeyStoreTest, ACopyOpensWithTheSameMasterKeyAndHoldsTheKeys) {
  auto alice = store_->GetOrCreate("alice");
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE(store_->GetOrCreate("bob").ok());
  ASSERT_TRUE(store_->Erase("bob", absl::FromUnixSeconds(1767225600)).ok());
  const std::string copy = dir_.Sub("copy");
  ASSERT_TRUE(store_->CopyTo(copy).ok());
  EXPECT_FALSE(store_->CopyTo(copy).ok()) << "the copy's directory must not exist";
  ASSERT_TRUE(SubjectKeyStore::Exists(copy));
  EXPECT_TRUE(absl::IsFailedPrecondition(
      SubjectKeyStore::Open(copy, *MasterKey::FromHex(std::string(64, '1')), {}).status()));
  auto copied = SubjectKeyStore::Open(copy, TestMasterKey(), {});
  ASSERT_TRUE(copied.ok()) << copied.status();
  auto found = (*copied)->Find("alice");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->state, SubjectKeyState::kPresent);
  EXPECT_EQ(found->key.encryption_key, alice->encryption_key);
  EXPECT_EQ((*copied)->Find("bob")->state, SubjectKeyState::kErased);
  // The original is untouched by what happens to the copy.
  ASSERT_TRUE((*copied)->Erase("alice", absl::FromUnixSeconds(1767225600)).ok());
  EXPECT_EQ(store_->Find("alice")->state, SubjectKeyState::kPresent);
}

}  // namespace
}  // namespace ledger
