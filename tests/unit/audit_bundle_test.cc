// Audit bundles written and checked with no server: a log of events hashed and chained as the
// ledger does, its Merkle tree in memory, a checkpoint signed with a test key; then every way a
// bundle can be wrong must fail, naming the event.
#include "audit/audit_bundle.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "ledger/canonical_record.h"
#include "ledger/checkpoint.h"
#include "ledger/hash_chain.h"
#include "ledger/merkle_tree.h"
#include "ledger/signed_note.h"
#include "ledger/uuid.h"
#include "tests/test_support.h"

namespace audit {
namespace {

constexpr char kOrigin[] = "nhs.example/engagement-ledger";
constexpr uint64_t kLogSize = 7;
const std::vector<uint64_t> kBundled = {2, 3, 5, 7};  // a subset: each proved on its own

ledger::CheckpointSigner Signer(char seed_byte) {
  return ledger::CheckpointSigner(
      *ledger::NoteSigner::FromSeed(kOrigin, std::string(32, seed_byte)));
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
}

class AuditBundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string previous = ledger::GenesisHash();
    ledger::MerkleAppender appender;
    for (uint64_t position = 1; position <= kLogSize; ++position) {
      engagement::v1::Event event = testing_support::SessionHeld();
      event.set_event_id(ledger::NewUuid());
      event.set_stream("engagement-" + testing_support::TestEngagement());
      event.set_stream_revision(position - 1);
      event.set_position(position);
      testing_support::SetTime(event.mutable_recorded_at(), 1746100000 + position);
      event.set_previous_hash(previous);
      std::string record = ledger::EncodeCanonicalRecord(event);
      previous = ledger::ChainHash(previous, record);
      event.set_hash(previous);
      events_.push_back(event);
      records_.push_back(record);
      store_.PutAll(*appender.Append({ledger::MerkleLeafHash(record)}));
    }
    root_ = appender.RootHash();
    key_ = Signer(7).VerifierKey();
    bundle_ = MakeBundle(Signer(7), kLogSize);
  }

  // The bundle of kBundled against a checkpoint of `tree_size` signed by `signer`.
  Bundle MakeBundle(const ledger::CheckpointSigner& signer, uint64_t tree_size) {
    Bundle bundle;
    ledger::Checkpoint checkpoint{kOrigin, tree_size, *ledger::RootHash(store_, tree_size), {}};
    bundle.checkpoint_note = *signer.Sign(checkpoint);
    bundle.verifier_key = signer.VerifierKey();
    bundle.description = "Test bundle.";
    for (uint64_t position : kBundled) {
      if (position > tree_size) continue;
      BundleEntry entry;
      entry.event = events_[position - 1];
      entry.canonical_record = records_[position - 1];
      entry.leaf_index = position - 1;
      entry.tree_size = tree_size;
      entry.proof = *ledger::InclusionProof(store_, position - 1, tree_size);
      bundle.entries.push_back(entry);
    }
    return bundle;
  }

  // Writes `bundle` to a new directory and checks it; returns the failure message ("" if OK).
  std::string WriteAndCheck(const Bundle& bundle, const std::string& trusted) {
    std::string dir = dir_.Sub(absl::StrCat("bundle", ++count_));
    absl::Status written = WriteBundle(dir, bundle);
    EXPECT_TRUE(written.ok()) << written;
    return Check(dir, trusted);
  }

  std::string Check(const std::string& dir, const std::string& trusted) {
    absl::StatusOr<CheckSummary> checked = CheckBundle(dir, trusted);
    if (checked.ok()) return "";
    EXPECT_TRUE(absl::IsDataLoss(checked.status())) << checked.status();
    return std::string(checked.status().message());
  }

  testing_support::TempDir dir_;
  int count_ = 0;
  std::vector<engagement::v1::Event> events_;
  std::vector<std::string> records_;
  ledger::InMemoryMerkleNodeStore store_;
  std::string root_, key_;
  Bundle bundle_;
};

TEST_F(AuditBundleTest, GoodBundleChecks) {
  std::string dir = dir_.Sub("good");
  ASSERT_TRUE(WriteBundle(dir, bundle_).ok());
  for (const char* file : {kEventsFile, kProofsFile, kCheckpointFile, kVerifierKeyFile, kReadmeFile}) {
    EXPECT_TRUE(std::filesystem::exists(dir + "/" + file)) << file;
  }
  absl::StatusOr<CheckSummary> trusted = CheckBundle(dir, key_);
  ASSERT_TRUE(trusted.ok()) << trusted.status();
  EXPECT_FALSE(trusted->key_from_bundle);
  EXPECT_FALSE(trusted->bundle_key_differs);
  EXPECT_EQ(trusted->events, 4u);
  EXPECT_EQ(trusted->first_position, 2u);
  EXPECT_EQ(trusted->last_position, 7u);
  EXPECT_EQ(trusted->checkpoint.tree_size, kLogSize);
  EXPECT_EQ(trusted->checkpoint.root_hash, root_);
  absl::StatusOr<CheckSummary> own = CheckBundle(dir, "");
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_TRUE(own->key_from_bundle);

  // The format as docs/audit.md gives it, checked by hand for one line.
  std::vector<std::string> events = absl::StrSplit(ReadFile(dir + "/" + kEventsFile), '\n');
  std::vector<std::string> proofs = absl::StrSplit(ReadFile(dir + "/" + kProofsFile), '\n');
  ASSERT_EQ(events.size(), 5u);  // 4 lines and the empty string after the last newline
  EXPECT_EQ(events[0].rfind(absl::StrCat("{\"position\":\"2\",\"event_id\":\"", events_[1].event_id(),
                                         "\",\"canonical_record\":\"",
                                         absl::Base64Escape(records_[1]), "\",\"event\":{"),
                            0),
            0u)
      << events[0];
  EXPECT_EQ(proofs[0].rfind("{\"position\":\"2\",\"leaf_index\":\"1\",\"tree_size\":\"7\",\"proof\":[\"", 0), 0u)
      << proofs[0];
  EXPECT_EQ(ReadFile(dir + "/" + kVerifierKeyFile), key_ + "\n");
  EXPECT_EQ(ReadFile(dir + "/" + kCheckpointFile), bundle_.checkpoint_note);
  EXPECT_EQ(bundle_.checkpoint_note.rfind(absl::StrCat(kOrigin, "\n7\n", absl::Base64Escape(root_), "\n\n"), 0), 0u);

  // Never written over another bundle.
  EXPECT_TRUE(absl::IsAlreadyExists(WriteBundle(dir, bundle_)));
  EXPECT_TRUE(absl::IsNotFound(CheckBundle(dir_.Sub("nonesuch"), "").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(CheckBundle(dir, "not a key").status()));
}

TEST_F(AuditBundleTest, AChangedRecordByteFailsNamingTheEvent) {
  for (size_t byte : {size_t{0}, size_t{40}, records_[4].size() - 1}) {
    Bundle bundle = bundle_;
    bundle.entries[2].canonical_record[byte] ^= 0x01;  // position 5
    std::string failure = WriteAndCheck(bundle, key_);
    EXPECT_NE(failure.find("event at position 5 (line 3)"), std::string::npos) << failure;
    EXPECT_NE(failure.find("inclusion proof"), std::string::npos) << failure;
  }
}

TEST_F(AuditBundleTest, ADroppedProofHashFailsNamingTheEvent) {
  Bundle bundle = bundle_;
  bundle.entries[1].proof.pop_back();  // position 3
  std::string failure = WriteAndCheck(bundle, key_);
  EXPECT_NE(failure.find("event at position 3 (line 2)"), std::string::npos) << failure;
  EXPECT_NE(failure.find("inclusion proof"), std::string::npos) << failure;
  bundle = bundle_;
  bundle.entries[1].proof.erase(bundle.entries[1].proof.begin());
  failure = WriteAndCheck(bundle, key_);
  EXPECT_NE(failure.find("event at position 3 (line 2)"), std::string::npos) << failure;
}

TEST_F(AuditBundleTest, ACheckpointSignedByAnotherKeyFails) {
  // Signed by another key, the bundle keeping the ledger's key: fails with either key.
  Bundle bundle = MakeBundle(Signer(9), kLogSize);
  bundle.verifier_key = key_;
  std::string failure = WriteAndCheck(bundle, key_);
  EXPECT_NE(failure.find("checkpoint.note: not a checkpoint signed by " + key_), std::string::npos)
      << failure;
  EXPECT_NE(WriteAndCheck(bundle, ""), "");
  // Re-signed wholesale by an impostor (note and verifier_key.txt): only the trusted key catches
  // it, which is why the checker warns when it uses the bundle's own key.
  Bundle impostor = MakeBundle(Signer(9), kLogSize);
  EXPECT_EQ(WriteAndCheck(impostor, ""), "");
  failure = WriteAndCheck(impostor, key_);
  EXPECT_NE(failure.find("checkpoint.note"), std::string::npos) << failure;
  // A note changed after signing.
  bundle = bundle_;
  absl::StrReplaceAll({{"\n7\n", "\n8\n"}}, &bundle.checkpoint_note);
  EXPECT_NE(WriteAndCheck(bundle, key_).find("checkpoint.note"), std::string::npos);
}

TEST_F(AuditBundleTest, AWrongTreeSizeFailsNamingTheEvent) {
  // A proof claiming another tree size than the checkpoint's.
  Bundle bundle = bundle_;
  bundle.entries[3].tree_size = kLogSize + 1;  // position 7
  std::string failure = WriteAndCheck(bundle, key_);
  EXPECT_NE(failure.find("event at position 7 (line 4): the proof is for tree size 8 but the "
                         "checkpoint's tree size is 7"),
            std::string::npos)
      << failure;
  // Proofs for size 7 against a checkpoint of size 6 (correctly signed): the first event fails.
  Bundle older = MakeBundle(Signer(7), 6);
  Bundle mixed = bundle_;
  mixed.checkpoint_note = older.checkpoint_note;
  failure = WriteAndCheck(mixed, key_);
  EXPECT_NE(failure.find("event at position 2 (line 1): the proof is for tree size 7"),
            std::string::npos)
      << failure;
  // And proofs for size 6 relabelled as size 7: the size is right, the proof is not.
  for (auto& entry : older.entries) entry.tree_size = kLogSize;
  older.checkpoint_note = bundle_.checkpoint_note;
  failure = WriteAndCheck(older, key_);
  EXPECT_NE(failure.find("event at position 2 (line 1)"), std::string::npos) << failure;
}

TEST_F(AuditBundleTest, WhatIsShownMustBeWhatWasProved) {
  // The JSON shown differs from the record.
  Bundle bundle = bundle_;
  bundle.entries[0].event.mutable_session_held()->set_title("A different title");
  std::string failure = WriteAndCheck(bundle, key_);
  EXPECT_NE(failure.find("event at position 2 (line 1): the event shown in JSON differs"),
            std::string::npos)
      << failure;
  EXPECT_NE(failure.find("A different title"), std::string::npos) << failure;
  // A wrong hash shown.
  bundle = bundle_;
  bundle.entries[1].event.set_hash(std::string(32, 'x'));
  EXPECT_NE(WriteAndCheck(bundle, key_).find("event at position 3 (line 2)"), std::string::npos);
  // Another position on the line than in the record (the proof relabelled to match).
  bundle = bundle_;
  bundle.entries[2].event.set_position(6);
  bundle.entries[2].leaf_index = 5;
  failure = WriteAndCheck(bundle, key_);
  EXPECT_NE(failure.find("event at position 6 (line 3)"), std::string::npos) << failure;
  // Another event id on the line.
  bundle = bundle_;
  bundle.entries[3].event.set_event_id(ledger::NewUuid());
  failure = WriteAndCheck(bundle, key_);
  EXPECT_NE(failure.find("event at position 7 (line 4): the line says event id"), std::string::npos)
      << failure;
  // Lines out of order, a line missing, an edited file.
  bundle = bundle_;
  std::swap(bundle.entries[0], bundle.entries[1]);
  EXPECT_NE(WriteAndCheck(bundle, key_).find("event at position 2 (line 2): positions must increase"),
            std::string::npos);
  std::string dir = dir_.Sub("edited");
  ASSERT_TRUE(WriteBundle(dir, bundle_).ok());
  std::string proofs = ReadFile(dir + "/" + kProofsFile);
  WriteFile(dir + "/" + kProofsFile, proofs.substr(0, proofs.find('\n') + 1));
  EXPECT_NE(Check(dir, key_).find("events.jsonl has 4 lines but proofs.jsonl has 1"),
            std::string::npos);
  WriteFile(dir + "/" + kProofsFile, absl::StrReplaceAll(proofs, {{"\"leaf_index\":\"4\"", "\"leaf_index\":\"3\""}}));
  EXPECT_NE(Check(dir, key_).find("event at position 5 (line 3)"), std::string::npos);
  WriteFile(dir + "/" + kProofsFile, proofs);
  EXPECT_EQ(Check(dir, key_), "");
  WriteFile(dir + "/" + kEventsFile, "{\"position\":2}\n");
  WriteFile(dir + "/" + kProofsFile, "not json\n");
  EXPECT_NE(Check(dir, key_).find("event at position 2 (line 1): proofs.jsonl"), std::string::npos);
}

TEST_F(AuditBundleTest, AnEventDroppedFromBothFilesContradictsTheManifest) {
  std::string dir = dir_.Sub("dropped");
  ASSERT_TRUE(WriteBundle(dir, bundle_).ok());
  for (const char* file : {kEventsFile, kProofsFile}) {
    std::string text = ReadFile(dir + "/" + file);
    WriteFile(dir + "/" + file, text.substr(0, text.rfind('\n', text.size() - 2) + 1));
  }
  EXPECT_NE(Check(dir, key_).find("manifest.json: says 4 events (positions 2 to 7"),
            std::string::npos)
      << Check(dir, key_);
  WriteFile(dir + "/" + kManifestFile, "{\"format\":\"engagement-ledger-audit-bundle/9\"}\n");
  EXPECT_NE(Check(dir, key_).find("is not engagement-ledger-audit-bundle/2"), std::string::npos);
}

TEST_F(AuditBundleTest, AFormatOneBundleWithNumbersAsJsonNumbersStillChecks) {
  std::string dir = dir_.Sub("format1");
  ASSERT_TRUE(WriteBundle(dir, bundle_).ok());
  std::filesystem::remove(dir + "/" + kManifestFile);
  for (const char* file : {kEventsFile, kProofsFile}) {
    std::string text = ReadFile(dir + "/" + file);
    // Only the line's own numbers (the event shown keeps protobuf JSON's strings, as in format 1).
    for (const char* field : {"position", "leaf_index", "tree_size"}) {
      for (int n = 0; n <= 9; ++n) {
        text = absl::StrReplaceAll(text, {{absl::StrCat("{\"", field, "\":\"", n, "\""),
                                           absl::StrCat("{\"", field, "\":", n)},
                                          {absl::StrCat(",\"", field, "\":\"", n, "\",\"proof"),
                                           absl::StrCat(",\"", field, "\":", n, ",\"proof")},
                                          {absl::StrCat(",\"", field, "\":\"", n, "\",\"tree"),
                                           absl::StrCat(",\"", field, "\":", n, ",\"tree")}});
      }
    }
    WriteFile(dir + "/" + file, text);
  }
  ASSERT_NE(ReadFile(dir + "/" + kProofsFile).find("{\"position\":2,\"leaf_index\":1,\"tree_size\":7,"),
            std::string::npos)
      << ReadFile(dir + "/" + kProofsFile);
  absl::StatusOr<CheckSummary> checked = CheckBundle(dir, key_);
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(checked->format, 1);
  EXPECT_EQ(checked->events, 4u);
}

}  // namespace
}  // namespace audit
