// Signed notes and checkpoints: the Go sumdb/note test vectors (golang.org/x/mod/sumdb/note),
// the C2SP examples, round trips, tampering, other keys and malformed input.
#include "ledger/checkpoint.h"

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "ledger/hash_chain.h"
#include "ledger/merkle_tree.h"
#include "ledger/signed_note.h"
#include "tests/test_support.h"

namespace ledger {
namespace {

// From golang.org/x/mod/sumdb/note's note_test.go. The private key there is
// "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", whose
// base64 is 0x01 || the 32-byte seed below.
constexpr char kPeterSeedHex[] = "810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173";
constexpr char kPeterKey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr char kEnochKey[] = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
constexpr char kText[] =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr char kPeterSig[] =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
constexpr char kEnochSig[] =
    "\xE2\x80\x94 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/"
    "5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";
// The same seed as a PEM PKCS#8 file (openssl pkey -inform DER of the RFC 8410 encoding).
constexpr char kPeterPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIIEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz\n"
    "-----END PRIVATE KEY-----\n";
// Throwaway test keys: a P-256 key and a passphrase-protected Ed25519 key.
constexpr char kEcPem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgtoWhF8u+J21qc7eg\n"
    "gMaZ7s6niLba/1byk2t8+FL5xt+hRANCAASenLsbnbfYU0grcY7zU3j2Ij7IeIF3\n"
    "Fx2HKpehIdtqI6FQXPGhqnkAxqr0xIjzDC3trxWs7IO4OIl9OXbbhwgx\n"
    "-----END PRIVATE KEY-----\n";
constexpr char kEncryptedPem[] =
    "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
    "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjqCAL8fdcugwICCAAw\n"
    "DAYIKoZIhvcNAgkFADAdBglghkgBZQMEAQIEEO1RFI9sFdreEIi7hApz0aQEQFO2\n"
    "Z1hlK76FxmlaZP5XIRmMRxnJfQZ+iNPWYvF4mKmATv4xRDgieMrh947iHNP9iiJg\n"
    "sgxwS5+Ktysg6BDYxlo=\n"
    "-----END ENCRYPTED PRIVATE KEY-----\n";

constexpr char kOrigin[] = "nhs.example/engagement-ledger";

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

NoteSigner Peter() {
  return *NoteSigner::FromSeed("PeterNeumann", absl::HexStringToBytes(kPeterSeedHex));
}

TEST(CheckpointNoteTest, SignsLikeGoSumdbNote) {
  NoteSigner peter = Peter();
  EXPECT_EQ(peter.key_id(), 0xc74f20a3u);
  EXPECT_EQ(peter.VerifierKey(), kPeterKey);
  auto note = peter.Sign(kText);
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(*note, absl::StrCat(kText, "\n", kPeterSig));
}

TEST(CheckpointNoteTest, OpensGoSumdbNotes) {
  auto peter = NoteVerifier::Parse(kPeterKey);
  auto enoch = NoteVerifier::Parse(kEnochKey);
  ASSERT_TRUE(peter.ok()) << peter.status();
  ASSERT_TRUE(enoch.ok()) << enoch.status();
  const std::string both = absl::StrCat(kText, "\n", kPeterSig, kEnochSig);
  EXPECT_EQ(*peter->Open(both), kText);  // Enoch's signature is ignored
  EXPECT_EQ(*enoch->Open(both), kText);
  auto unsigned_by_enoch = enoch->Open(absl::StrCat(kText, "\n", kPeterSig));
  EXPECT_TRUE(absl::IsUnauthenticated(unsigned_by_enoch.status()));
  EXPECT_NE(unsigned_by_enoch.status().message().find("PeterNeumann+c74f20a3"), std::string::npos);
  // A known key's signature that does not verify fails the note (Go: "invalid signature").
  std::string sig = kPeterSig;
  sig.insert(60, "ABCD");
  EXPECT_TRUE(absl::IsUnauthenticated(peter->Open(absl::StrCat(kText, "\n", sig)).status()));
  // Go's malformed messages.
  const std::string text = kText, peter_sig = kPeterSig;
  const std::vector<std::string> bad = {
      text,
      text + "\n",
      text + "\n" + peter_sig.substr(0, peter_sig.size() - 1),
      "\x01" + text + "\n" + peter_sig,
      "\xff" + text + "\n" + peter_sig,
      text + "\n" +
          "\xE2\x80\x94 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1"
          "FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
      text + "\n" + peter_sig + "Unexpected line.\n",
  };
  for (const std::string& msg : bad) {
    EXPECT_TRUE(absl::IsInvalidArgument(peter->Open(msg).status())) << msg;
  }
  std::string many = text + "\n";
  for (int i = 0; i < 101; ++i) many += peter_sig;
  EXPECT_TRUE(absl::IsInvalidArgument(peter->Open(many).status()));
}

TEST(CheckpointNoteTest, VerifierKeysAreChecked) {
  const std::string key = kPeterKey;
  for (size_t i = 0; i <= key.size(); ++i) {
    for (size_t j = i + 1; j <= key.size(); ++j) {
      if (i == 0 && j == key.size()) continue;
      EXPECT_FALSE(NoteVerifier::Parse(key.substr(i, j - i)).ok()) << key.substr(i, j - i);
    }
  }
  for (size_t i = 0; i < key.size(); ++i) {
    std::string mangled = key;
    ++mangled[i];
    EXPECT_FALSE(NoteVerifier::Parse(mangled).ok()) << mangled;
  }
  // Wrong key length and unknown algorithm, each with a matching key ID (from Go's tests).
  EXPECT_FALSE(NoteVerifier::Parse(
                   "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")
                   .ok());
  EXPECT_FALSE(
      NoteVerifier::Parse("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
          .ok());
}

TEST(CheckpointNoteTest, KeyIdIsTheSpecComputation) {
  NoteSigner peter = Peter();
  // SHA-256(key name || 0x0A || 0x01 || public key)[:4], computed here by hand.
  const std::string hash = Sha256(absl::StrCat("PeterNeumann", "\n", "\x01", peter.public_key()));
  EXPECT_EQ(ToHex(hash.substr(0, 4)), "c74f20a3");
  EXPECT_EQ(NoteKeyId("PeterNeumann", peter.public_key()), 0xc74f20a3u);
  EXPECT_EQ(NoteKeyId("EnochRoot", absl::HexStringToBytes(ToHex(peter.public_key()))),
            NoteKeyId("EnochRoot", peter.public_key()));
  EXPECT_NE(NoteKeyId("PeterNeumanN", peter.public_key()), 0xc74f20a3u);
}

TEST(CheckpointNoteTest, KeyNames) {
  for (const char* good : {"a", "example.com/log42", "PeterNeumann", "caf\xC3\xA9"}) {
    EXPECT_TRUE(IsValidNoteKeyName(good)) << good;
  }
  for (const char* bad : {"", "a b", "a+b", "a\tb", "a\nb",
                          "a\xC2\xA0"
                          "b",
                          "a\xE3\x80\x80"
                          "b",
                          "\xff", "\xC0\xAF"}) {
    EXPECT_FALSE(IsValidNoteKeyName(bad)) << bad;
  }
  EXPECT_TRUE(absl::IsInvalidArgument(NoteSigner::FromSeed("a b", std::string(32, '\1')).status()));
}

TEST(CheckpointNoteTest, KeyFiles) {
  testing_support::TempDir dir;
  const std::string path = dir.Sub("checkpoint-key.pem");
  ASSERT_TRUE(CheckpointSigner::GenerateKeyFile(path).ok());
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path);
  std::string first_line;
  std::getline(in, first_line);
  EXPECT_EQ(first_line, "-----BEGIN PRIVATE KEY-----");
  EXPECT_TRUE(absl::IsAlreadyExists(CheckpointSigner::GenerateKeyFile(path)));
  auto loaded = CheckpointSigner::Load(path, kOrigin);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->PublicKey().size(), 32u);
  auto again = CheckpointSigner::Load(path, kOrigin);
  EXPECT_EQ(again->VerifierKey(), loaded->VerifierKey());
  ASSERT_TRUE(CheckpointSigner::GenerateKeyFile(dir.Sub("other.pem")).ok());
  EXPECT_NE(CheckpointSigner::Load(dir.Sub("other.pem"), kOrigin)->PublicKey(),
            loaded->PublicKey());

  // A key written by `openssl genpkey -algorithm ed25519` (here: the Go test key).
  WriteFile(dir.Sub("peter.pem"), kPeterPem);
  auto peter = NoteSigner::Load(dir.Sub("peter.pem"), "PeterNeumann");
  ASSERT_TRUE(peter.ok()) << peter.status();
  EXPECT_EQ(peter->VerifierKey(), kPeterKey);

  EXPECT_TRUE(absl::IsNotFound(NoteSigner::Load(dir.Sub("missing.pem"), "a").status()));
  WriteFile(dir.Sub("garbage.pem"), "not a key\n");
  WriteFile(dir.Sub("ec.pem"), kEcPem);
  WriteFile(dir.Sub("encrypted.pem"), kEncryptedPem);
  for (const char* name : {"garbage.pem", "ec.pem", "encrypted.pem"}) {
    auto status = NoteSigner::Load(dir.Sub(name), "a").status();
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << name << ": " << status;
  }
  EXPECT_TRUE(absl::IsInvalidArgument(NoteSigner::Load(dir.Sub("peter.pem"), "a+b").status()));
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(CheckpointSigner::GenerateKeyFile(dir_.Sub("key.pem")).ok());
    auto signer = CheckpointSigner::Load(dir_.Sub("key.pem"), kOrigin);
    ASSERT_TRUE(signer.ok()) << signer.status();
    signer_ = std::make_unique<CheckpointSigner>(*std::move(signer));
    checkpoint_ = {kOrigin, 12345, MerkleLeafHash("root"), {"timestamp 1746093600"}};
    auto note = signer_->Sign(checkpoint_);
    ASSERT_TRUE(note.ok()) << note.status();
    note_ = *note;
  }

  testing_support::TempDir dir_;
  std::unique_ptr<CheckpointSigner> signer_;
  Checkpoint checkpoint_;
  std::string note_;
};

TEST_F(CheckpointTest, RoundTrip) {
  const std::string b64_root = absl::Base64Escape(checkpoint_.root_hash);
  const std::string prefix = absl::StrCat(kOrigin, "\n12345\n", b64_root,
                                          "\ntimestamp 1746093600\n\n\xE2\x80\x94 ", kOrigin, " ");
  ASSERT_EQ(note_.substr(0, prefix.size()), prefix);
  EXPECT_EQ(note_.size(), prefix.size() + 92 + 1);  // base64 of 4 + 64 bytes, newline
  auto parsed = ParseAndVerify(note_, signer_->VerifierKey());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, checkpoint_);
  // The empty tree, no extensions (the root: printf "" | openssl dgst -sha256 -binary | base64).
  Checkpoint empty{kOrigin, 0, MerkleEmptyRootHash(), {}};
  auto note = signer_->Sign(empty);
  ASSERT_TRUE(note.ok());
  EXPECT_EQ(note->substr(0, note->find("\n\n") + 1),
            absl::StrCat(kOrigin, "\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"));
  EXPECT_EQ(*ParseAndVerify(*note, signer_->VerifierKey()), empty);
  EXPECT_EQ(signer_->VerifierKey().substr(0, sizeof(kOrigin)), absl::StrCat(kOrigin, "+"));
}

TEST_F(CheckpointTest, AnyChangeFailsVerification) {
  const std::string key = signer_->VerifierKey();
  const std::string b64_root = absl::Base64Escape(checkpoint_.root_hash);
  std::string other_root = checkpoint_.root_hash;
  other_root[5] ^= 1;
  const std::vector<std::pair<std::string, std::string>> changes = {
      {"\n12345\n", "\n12346\n"},
      {b64_root, absl::Base64Escape(other_root)},
      {absl::StrCat(kOrigin, "\n1"), "nhs.example/other-ledger\n1"},
      {"timestamp 1746093600", "timestamp 1746093601"},
      {"\ntimestamp 1746093600\n", "\n"},
      {"\n12345\n", "\n12345\nan added line\n"},
  };
  for (const auto& [from, to] : changes) {
    std::string changed = absl::StrReplaceAll(note_, {{from, to}});
    ASSERT_NE(changed, note_) << from;
    auto status = ParseAndVerify(changed, key).status();
    EXPECT_TRUE(absl::IsUnauthenticated(status)) << from << ": " << status;
  }
  // Each byte of the signature itself (past the key ID, which would make it another key's).
  const size_t sig_start = note_.rfind(' ') + 1 + 8;
  for (size_t i = sig_start; i + 3 < note_.size(); ++i) {
    std::string changed = note_;
    changed[i] = changed[i] == 'A' ? 'B' : 'A';
    auto status = ParseAndVerify(changed, key).status();
    EXPECT_FALSE(status.ok()) << i;
  }
}

TEST_F(CheckpointTest, AnotherKeyFails) {
  ASSERT_TRUE(CheckpointSigner::GenerateKeyFile(dir_.Sub("other.pem")).ok());
  auto other = CheckpointSigner::Load(dir_.Sub("other.pem"), kOrigin);
  ASSERT_TRUE(other.ok());
  auto forged = other->Sign(checkpoint_);
  ASSERT_TRUE(forged.ok());
  auto status = ParseAndVerify(*forged, signer_->VerifierKey()).status();
  EXPECT_TRUE(absl::IsUnauthenticated(status)) << status;
  // Cosigned by both: either key accepts it.
  std::string cosigned = note_ + forged->substr(forged->rfind("\n\n") + 2);
  EXPECT_EQ(*ParseAndVerify(cosigned, signer_->VerifierKey()), checkpoint_);
  EXPECT_EQ(*ParseAndVerify(cosigned, other->VerifierKey()), checkpoint_);
  // Signed by the right key under another name: the key ID differs, so it is not our key.
  auto renamed = NoteSigner::Load(dir_.Sub("key.pem"), "nhs.example/other-ledger");
  ASSERT_TRUE(renamed.ok());
  auto text = FormatCheckpoint(checkpoint_);
  auto note = renamed->Sign(*text);
  EXPECT_TRUE(absl::IsUnauthenticated(ParseAndVerify(*note, signer_->VerifierKey()).status()));
  // Validly signed, but the origin is not the key's name.
  auto origin_mismatch = ParseAndVerify(*note, renamed->VerifierKey()).status();
  EXPECT_TRUE(absl::IsInvalidArgument(origin_mismatch)) << origin_mismatch;
}

TEST_F(CheckpointTest, MalformedInputIsRejected) {
  const std::string key = signer_->VerifierKey();
  const std::string root = absl::Base64Escape(checkpoint_.root_hash);
  const std::vector<std::string> bad_bodies = {
      "",
      absl::StrCat(kOrigin, "\n12\n"),
      absl::StrCat(kOrigin, "\n012\n", root, "\n"),
      absl::StrCat(kOrigin, "\n-1\n", root, "\n"),
      absl::StrCat(kOrigin, "\n+1\n", root, "\n"),
      absl::StrCat(kOrigin, "\n 1\n", root, "\n"),
      absl::StrCat(kOrigin, "\n1e3\n", root, "\n"),
      absl::StrCat(kOrigin, "\n18446744073709551616\n", root, "\n"),
      absl::StrCat(kOrigin, "\n1\n", root.substr(0, 43), "\n"),
      absl::StrCat(kOrigin, "\n1\n", absl::Base64Escape(checkpoint_.root_hash.substr(1)), "\n"),
      absl::StrCat(kOrigin, "\n1\n", root, "\n\nextension\n"),
      absl::StrCat(kOrigin, "\n1\n", root),
      absl::StrCat("\n1\n", root, "\n"),
      absl::StrCat(kOrigin, "\r\n1\n", root, "\n"),
  };
  for (const std::string& body : bad_bodies) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseCheckpoint(body).status())) << body;
  }
  auto biggest = ParseCheckpoint(absl::StrCat(kOrigin, "\n18446744073709551615\n", root, "\n"));
  ASSERT_TRUE(biggest.ok());
  EXPECT_EQ(biggest->tree_size, UINT64_MAX);

  const std::string body = note_.substr(0, note_.find("\n\n") + 1);
  const std::vector<std::string> bad_notes = {
      body, body + "\n", absl::StrReplaceAll(note_, {{"\n", "\r\n"}}),
      absl::StrReplaceAll(note_, {{"\xE2\x80\x94", "-"}}), note_.substr(0, note_.size() - 1)};
  for (const std::string& note : bad_notes) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseAndVerify(note, key).status())) << note;
  }
  // Validly signed, but not a checkpoint.
  auto text_note = Peter().Sign(kText);
  EXPECT_TRUE(absl::IsInvalidArgument(ParseAndVerify(*text_note, kPeterKey).status()));
  for (const char* bad_key : {"", "a", "a+b+c", "nhs.example+zzzzzzzz+AAAA"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ParseAndVerify(note_, bad_key).status())) << bad_key;
  }
}

TEST_F(CheckpointTest, FormatRefusesWhatCannotBeACheckpoint) {
  std::vector<Checkpoint> bad(6, checkpoint_);
  bad[0].origin = "";
  bad[1].origin = "two\nlines";
  bad[2].root_hash = "short";
  bad[3].extensions = {""};
  bad[4].extensions = {"a\nb"};
  bad[5].origin = "nhs.example/other-ledger";  // FormatCheckpoint accepts it; Sign does not
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_TRUE(absl::IsInvalidArgument(signer_->Sign(bad[i]).status())) << i;
  }
  EXPECT_TRUE(FormatCheckpoint(bad[5]).ok());
}

// The example of c2sp.org/tlog-checkpoint: its body parses; its signature is by a key we do
// not have, so it is reported as not signed by ours, naming the key that did sign it.
TEST(CheckpointC2spTest, SpecExample) {
  const std::string body =
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
  auto checkpoint = ParseCheckpoint(body);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->origin, "example.com/behind-the-sofa");
  EXPECT_EQ(checkpoint->tree_size, 20852163u);
  EXPECT_EQ(checkpoint->root_hash.size(), 32u);
  EXPECT_TRUE(checkpoint->extensions.empty());
  EXPECT_EQ(*FormatCheckpoint(*checkpoint), body);
  const std::string note = body +
                           "\n\xE2\x80\x94 example.com/behind-the-sofa "
                           "Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/"
                           "Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n";
  auto signer = NoteSigner::FromSeed("example.com/behind-the-sofa", std::string(32, '\7'));
  auto status = ParseAndVerify(note, signer->VerifierKey()).status();
  EXPECT_TRUE(absl::IsUnauthenticated(status)) << status;
  EXPECT_NE(status.message().find("example.com/behind-the-sofa+033de0ae"), std::string::npos)
      << status;
}

}  // namespace
}  // namespace ledger
