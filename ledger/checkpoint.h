// Signed checkpoints: the ledger's Merkle tree head (merkle_tree.h) in the C2SP tlog-checkpoint
// format (https://c2sp.org/tlog-checkpoint), signed as a C2SP signed note (signed_note.h), so
// that an auditor holding the ledger's verifier key can check any tree head the ledger shows,
// then check inclusion and consistency proofs against it.
//
// The note text is at least three non-empty lines, each ending in '\n':
//
//   <origin>                      the log's identity, e.g. "nhs.example/engagement-ledger"
//   <tree size>                   decimal, no leading zeros ("0" for the empty tree)
//   <root hash>                   base64 (standard, padded) of the 32-byte RFC 9162 root
//   [<extension line>]...         optional, opaque, non-empty (e.g. a timestamp line)
//
// followed by a blank line and the signature line(s). The ledger signs with an Ed25519 key whose
// key name IS the origin (the spec's SHOULD, enforced here on both sides), so one verifier key
// string identifies both the log and its key.
//
// Errors: INVALID_ARGUMENT when something is malformed, UNAUTHENTICATED when the signature is
// missing or wrong; the message says what is wrong.
#ifndef ENGAGEMENT_LEDGER_CHECKPOINT_H_
#define ENGAGEMENT_LEDGER_CHECKPOINT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/signed_note.h"

namespace ledger {

struct Checkpoint {
  std::string origin;
  uint64_t tree_size = 0;
  std::string root_hash;                // 32 raw bytes
  std::vector<std::string> extensions;  // extension lines, verbatim, without their '\n'

  friend bool operator==(const Checkpoint& a, const Checkpoint& b) {
    return a.origin == b.origin && a.tree_size == b.tree_size && a.root_hash == b.root_hash &&
           a.extensions == b.extensions;
  }
};

// The note text (unsigned body) of `checkpoint`. INVALID_ARGUMENT when the origin or an extension
// line is empty or holds a newline or other control character, or the root is not 32 bytes.
absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint);

// Parses a note text (no signatures) back into a checkpoint; strict: exactly the text
// FormatCheckpoint would write for it.
absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view text);

// Signs checkpoints of the log whose origin is the key's name.
class CheckpointSigner {
 public:
  // Loads the key file (signed_note.h: PEM PKCS#8 Ed25519, as `openssl genpkey -algorithm
  // ed25519` writes) to sign as `origin`.
  static absl::StatusOr<CheckpointSigner> Load(const std::string& key_file,
                                               absl::string_view origin);
  // Creates a new key file for the first start (mode 0600; ALREADY_EXISTS if `path` exists).
  static absl::Status GenerateKeyFile(const std::string& path) {
    return NoteSigner::GenerateKeyFile(path);
  }

  explicit CheckpointSigner(NoteSigner signer) : signer_(std::move(signer)) {}

  const std::string& origin() const { return signer_.key_name(); }
  // The raw 32-byte Ed25519 public key.
  const std::string& PublicKey() const { return signer_.public_key(); }
  // The string to publish for auditors: <origin>+<key ID hex>+<base64(0x01 || public key)>.
  std::string VerifierKey() const { return signer_.VerifierKey(); }

  // The signed note of `checkpoint`. INVALID_ARGUMENT when its origin is not this signer's, or
  // FormatCheckpoint refuses it.
  absl::StatusOr<std::string> Sign(const Checkpoint& checkpoint) const;

 private:
  NoteSigner signer_;
};

// Checks that `note` is a checkpoint signed by the key of `verifier_key` (a verifier key string
// as VerifierKey returns) and returns it. Other signatures on the note are ignored. Fails when
// the verifier key is malformed, the note is malformed, it has no valid signature by that key,
// or its origin is not the key's name. The caller then checks the tree size and root against
// what it knew before (VerifyConsistency).
absl::StatusOr<Checkpoint> ParseAndVerify(absl::string_view note, absl::string_view verifier_key);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_CHECKPOINT_H_
