// Witness cosignatures (C2SP tlog-cosignature/v1) and the witness's add-checkpoint (C2SP
// tlog-witness): the specification's own examples, vectors computed independently (Python's
// `cryptography`, RFC 8032 being deterministic), and each way a log could try to get a witness to
// cosign what it must not, named by what it would break.
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "ledger/checkpoint.h"
#include "ledger/cosignature.h"
#include "ledger/hash_chain.h"
#include "ledger/merkle_tree.h"
#include "ledger/signed_note.h"
#include "ledger/tlog_witness.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

// The checkpoint of the C2SP tlog-cosignature and tlog-witness examples.
constexpr char kSpecCheckpoint[] =
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
constexpr char kEmDash[] = "\xE2\x80\x94 ";

std::string Bytes(int first, int count, int step = 1) {
  std::string out;
  for (int i = 0; i < count; ++i) out.push_back(static_cast<char>(first + i * step));
  return out;
}

TEST(CosignatureTest, TheSpecificationsExampleLineCarriesItsKeyIdAndTime) {
  // tlog-cosignature's example note: the log's signature, then witness.example.com/w1's.
  const std::string note = absl::StrCat(
      kSpecCheckpoint, "\n", kEmDash,
      "example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
      "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n",
      kEmDash,
      "witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2o"
      "yin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n");
  absl::StatusOr<SplitNote> split = SplitSignedNote(note);
  ASSERT_TRUE(split.ok()) << split.status();
  ASSERT_EQ(split->signatures.size(), 2u);
  const NoteSignatureLine& witness = split->signatures[1];
  EXPECT_EQ(witness.key_name, "witness.example.com/w1");
  EXPECT_EQ(witness.key_id, 0x8d66cf3fu);
  ASSERT_EQ(witness.signature.size(), 8u + 64u);
  uint64_t timestamp = 0;
  for (int i = 0; i < 8; ++i) timestamp = (timestamp << 8) | static_cast<unsigned char>(witness.signature[i]);
  EXPECT_EQ(timestamp, 1679315147u);  // the "time" line of the specification's signed message
  EXPECT_EQ(CosignedMessage(kSpecCheckpoint, timestamp),
            absl::StrCat("cosignature/v1\ntime 1679315147\n", kSpecCheckpoint));
}

TEST(CosignatureTest, ReproducesAnIndependentlyComputedCosignature) {
  absl::StatusOr<Cosigner> witness = Cosigner::FromSeed("witness.example/w1", std::string(32, 0x42));
  ASSERT_TRUE(witness.ok()) << witness.status();
  EXPECT_EQ(witness->VerifierKey(),
            "witness.example/w1+f1ed8c47+BCFS+NGbeR0kRTJC4V8uq2y3z/p7al7TAJeWDgaYgdsS");
  absl::StatusOr<std::string> line = witness->Cosign(kSpecCheckpoint, 1679315147);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_EQ(*line, absl::StrCat(kEmDash,
                                "witness.example/w1 8e2MRwAAAABkGFDLEqgtDUsneMqeLcGMqk8Xx08OQIVxF72ZJmE"
                                "tUU5sbo5WiTljN+UF1cQ+vSoh1gRQ0wV3Nz9m8DFvjwHDTDcQBA==\n"));
  // The log's own signature over the same checkpoint, from seed 00..1f.
  absl::StatusOr<NoteSigner> log = NoteSigner::FromSeed("example.com/behind-the-sofa", Bytes(0, 32));
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->VerifierKey(),
            "example.com/behind-the-sofa+1f59e8f5+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4");
  const std::string note = *log->Sign(kSpecCheckpoint) + *line;
  absl::StatusOr<CosignatureVerifier> verifier = CosignatureVerifier::Parse(witness->VerifierKey());
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  absl::StatusOr<uint64_t> when = verifier->Verify(note);
  ASSERT_TRUE(when.ok()) << when.status();
  EXPECT_EQ(*when, 1679315147u);
  // The log's key still opens the note with the cosignature on it.
  EXPECT_TRUE(NoteVerifier::Parse(log->VerifierKey())->Open(note).ok());
}

TEST(CosignatureTest, AChangedCheckpointOrTimeFailsAndANoteKeyIsNotACosignatureKey) {
  Cosigner witness = *Cosigner::FromSeed("witness.example/w1", std::string(32, 0x42));
  NoteSigner log = *NoteSigner::FromSeed("example.com/behind-the-sofa", Bytes(0, 32));
  const std::string line = *witness.Cosign(kSpecCheckpoint, 1679315147);
  CosignatureVerifier verifier = *CosignatureVerifier::Parse(witness.VerifierKey());
  std::string other = kSpecCheckpoint;
  other[30] = '9';  // another size
  absl::StatusOr<uint64_t> moved = verifier.Verify(*log.Sign(other) + line);
  EXPECT_TRUE(absl::IsUnauthenticated(moved.status())) << moved.status();
  // Not there at all.
  EXPECT_TRUE(absl::IsNotFound(verifier.Verify(*log.Sign(kSpecCheckpoint)).status()));
  // A signed-note (0x01) key is not a cosignature key, and the other way round.
  EXPECT_FALSE(CosignatureVerifier::Parse(log.VerifierKey()).ok());
  EXPECT_FALSE(NoteVerifier::Parse(witness.VerifierKey()).ok());
}

TEST(CosignatureTest, APolicyCountsValidCosignaturesOfItsWitnessesOnly) {
  NoteSigner log = *NoteSigner::FromSeed("example.com/behind-the-sofa", Bytes(0, 32));
  Cosigner a = *Cosigner::FromSeed("a.example/w", std::string(32, 1));
  Cosigner b = *Cosigner::FromSeed("b.example/w", std::string(32, 2));
  Cosigner c = *Cosigner::FromSeed("c.example/w", std::string(32, 3));
  const std::string note = *log.Sign(kSpecCheckpoint) + *a.Cosign(kSpecCheckpoint, 10) +
                           *c.Cosign(kSpecCheckpoint, 11);
  auto two_of_three = WitnessPolicy::Parse({a.VerifierKey(), b.VerifierKey(), c.VerifierKey()}, 2);
  ASSERT_TRUE(two_of_three.ok());
  absl::StatusOr<std::vector<WitnessedBy>> by = two_of_three->Check(note);
  ASSERT_TRUE(by.ok()) << by.status();
  EXPECT_EQ(by->size(), 2u);
  auto all = WitnessPolicy::Parse({a.VerifierKey(), b.VerifierKey(), c.VerifierKey()}, 0);
  absl::Status short_of_all = all->Check(note).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(short_of_all));
  EXPECT_NE(short_of_all.message().find("missing: b.example/w"), std::string::npos) << short_of_all;
  EXPECT_FALSE(WitnessPolicy::Parse({a.VerifierKey()}, 2).ok());
  EXPECT_FALSE(WitnessPolicy::Parse({a.VerifierKey(), a.VerifierKey()}, 1).ok());
}

// A log of leaves "leaf-0", "leaf-1", ... with its checkpoints signed by the key of seed 00..1f.
class WitnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> leaves;
    for (int i = 0; i < 16; ++i) {
      leaves.push_back(MerkleLeafHash(absl::StrCat("leaf-", i)));
    }
    MerkleAppender appender;
    tree_.PutAll(*appender.Append(leaves));
    auto state = FileWitnessStateStore::Open(dir_.Sub("state"));
    ASSERT_TRUE(state.ok());
    state_ = *std::move(state);
    witness_ = std::make_unique<Witness>(*Cosigner::FromSeed("witness.example/w1", std::string(32, 0x42)),
                                         std::vector<NoteVerifier>{*NoteVerifier::Parse(log_.VerifierKey())},
                                         state_.get(), [] { return uint64_t{1700000000}; });
  }
  std::string Note(uint64_t size, const NoteSigner* signer = nullptr) {
    Checkpoint checkpoint{log_.key_name(), size, *RootHash(tree_, size), {}};
    return *(signer ? signer : &log_)->Sign(*FormatCheckpoint(checkpoint));
  }
  WitnessResponse Add(uint64_t old_size, uint64_t size, std::vector<std::string> proof = {}) {
    return witness_->AddCheckpoint(FormatAddCheckpoint({old_size, std::move(proof), Note(size)}));
  }
  std::vector<std::string> Proof(uint64_t from, uint64_t to) { return *ConsistencyProof(tree_, from, to); }

  testing_support::TempDir dir_;
  NoteSigner log_ = *NoteSigner::FromSeed("example.com/behind-the-sofa", Bytes(0, 32));
  InMemoryMerkleNodeStore tree_;
  std::unique_ptr<FileWitnessStateStore> state_;
  std::unique_ptr<Witness> witness_;
};

TEST_F(WitnessTest, TheConsistencyVectorsComputedIndependentlyAreThisTreesProofs) {
  EXPECT_EQ(absl::Base64Escape(*RootHash(tree_, 3)), "z3Y6BByBzu8VeKYIP3XGG+8uABTyo+aDqX/Pylvn8Zo=");
  EXPECT_EQ(absl::Base64Escape(*RootHash(tree_, 7)), "CwB/uRXrmyoUb1SxyG7FO2ZPjkVbdmCwtu4T7cDZIcA=");
  std::vector<std::string> proof = Proof(3, 7);
  ASSERT_EQ(proof.size(), 4u);
  EXPECT_EQ(absl::Base64Escape(proof[0]), "/KifV8n4yOtAR6f/nTM6z54PM4SyCyVbzqsPIW3Momc=");
  EXPECT_EQ(absl::Base64Escape(proof[3]), "jq5r07Ogfx917nKlMWKebrMeQuYvdg5H3lKlPDZB7yM=");
}

TEST_F(WitnessTest, AFirstCheckpointThenAGrownOneAreCosignedAndRemembered) {
  WitnessResponse first = Add(0, 3);
  ASSERT_EQ(first.http_status, 200) << first.body;
  CosignatureVerifier verifier = *CosignatureVerifier::Parse(witness_->cosigner().VerifierKey());
  absl::StatusOr<uint64_t> when = verifier.Verify(Note(3) + first.body);
  ASSERT_TRUE(when.ok()) << when.status() << "\n" << first.body;
  EXPECT_EQ(*when, 1700000000u);
  WitnessResponse grown = Add(3, 7, Proof(3, 7));
  ASSERT_EQ(grown.http_status, 200) << grown.body;
  // After a restart (a new store over the same directory) it still knows size 7.
  auto reopened = FileWitnessStateStore::Open(dir_.Sub("state"));
  absl::StatusOr<std::optional<WitnessedTree>> known = (*reopened)->Get(log_.key_name());
  ASSERT_TRUE(known.ok() && known->has_value());
  EXPECT_EQ((*known)->size, 7u);
  EXPECT_EQ((*known)->root_hash, *RootHash(tree_, 7));
}

TEST_F(WitnessTest, AStaleOldSizeGets409WithTheSizeItKnows) {
  ASSERT_EQ(Add(0, 7).http_status, 200);
  WitnessResponse stale = Add(3, 9, Proof(3, 9));
  EXPECT_EQ(stale.http_status, 409);
  EXPECT_EQ(stale.body, "7\n");
  EXPECT_EQ(stale.content_type, "text/x.tlog.size");
  EXPECT_EQ(Add(7, 9, Proof(7, 9)).http_status, 200);  // the client's retry
}

TEST_F(WitnessTest, ARolledBackLogIsNeverCosignedAgain) {
  ASSERT_EQ(Add(0, 9).http_status, 200);
  EXPECT_EQ(Add(9, 5).http_status, 400);  // old larger than the checkpoint
  WitnessResponse smaller = Add(0, 5);
  EXPECT_EQ(smaller.http_status, 409);
  EXPECT_EQ(smaller.body, "9\n");
}

TEST_F(WitnessTest, AForkOfTheSameSizeIsAConflict) {
  ASSERT_EQ(Add(0, 7).http_status, 200);
  Checkpoint forked{log_.key_name(), 7, *RootHash(tree_, 8), {}};  // a root that is not 7's
  WitnessResponse fork = witness_->AddCheckpoint(
      FormatAddCheckpoint({7, {}, *log_.Sign(*FormatCheckpoint(forked))}));
  EXPECT_EQ(fork.http_status, 409) << fork.body;
  EXPECT_EQ(Add(7, 7).http_status, 200);  // the same tree again is cosigned again
}

TEST_F(WitnessTest, AnInconsistentHistoryGets422AndChangesNothing) {
  ASSERT_EQ(Add(0, 6).http_status, 200);
  std::vector<std::string> wrong = Proof(5, 9);  // a proof, but not from 6
  WitnessResponse inconsistent = Add(6, 9, wrong);
  EXPECT_EQ(inconsistent.http_status, 422) << inconsistent.body;
  EXPECT_EQ(Add(0, 3, Proof(0, 3)).http_status, 409);
  EXPECT_EQ((*state_->Get(log_.key_name()))->size, 6u);
  // A non-empty proof from a log never seen.
  auto fresh = FileWitnessStateStore::Open(dir_.Sub("fresh"));
  Witness other(*Cosigner::FromSeed("witness.example/w1", std::string(32, 0x42)),
                {*NoteVerifier::Parse(log_.VerifierKey())}, fresh->get(), [] { return uint64_t{1}; });
  EXPECT_EQ(other.AddCheckpoint(FormatAddCheckpoint({0, Proof(3, 7), Note(7)})).http_status, 422);
}

TEST_F(WitnessTest, AnUnknownLogIs404AndAForgedSignatureIs403) {
  NoteSigner stranger = *NoteSigner::FromSeed("other.example/log", Bytes(5, 32));
  Checkpoint theirs{"other.example/log", 3, *RootHash(tree_, 3), {}};
  EXPECT_EQ(witness_->AddCheckpoint(FormatAddCheckpoint({0, {}, *stranger.Sign(*FormatCheckpoint(theirs))}))
                .http_status,
            404);
  NoteSigner impostor = *NoteSigner::FromSeed("example.com/behind-the-sofa", Bytes(9, 32));
  EXPECT_EQ(witness_->AddCheckpoint(FormatAddCheckpoint({0, {}, Note(3, &impostor)})).http_status, 403);
  EXPECT_EQ(witness_->AddCheckpoint("old 0\nnot a proof\n\n" + Note(3)).http_status, 400);
  EXPECT_EQ(witness_->AddCheckpoint("old 00\n\n" + Note(3)).http_status, 400);
  EXPECT_FALSE((*state_->Get(log_.key_name())).has_value());
}

TEST(WitnessRequestTest, TheSpecificationsExampleBodyParses) {
  const std::string body = absl::StrCat(
      "old 20852014\n"
      "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
      "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
      "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
      "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
      "\n",
      kSpecCheckpoint, "\n", kEmDash,
      "example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
      "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n");
  absl::StatusOr<AddCheckpointRequest> request = ParseAddCheckpoint(body);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->old_size, 20852014u);
  EXPECT_EQ(request->proof.size(), 4u);
  EXPECT_EQ(request->note.substr(0, 28), "example.com/behind-the-sofa\n");
  EXPECT_EQ(FormatAddCheckpoint(*request), body);
}

}  // namespace
}  // namespace ledger
