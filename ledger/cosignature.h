// Witness cosignatures of checkpoints: C2SP tlog-cosignature/v1 with Ed25519
// (https://c2sp.org/tlog-cosignature).
//
// A witness that has checked a checkpoint is consistent with every earlier one it saw signs
//
//   "cosignature/v1\n" "time " <timestamp, decimal> "\n" <the checkpoint's note text>
//
// (the text: origin, size, root and every extension line, each ending in '\n') and adds to the
// note the signature line
//
//   U+2014 ' ' <witness name> ' ' base64(key ID (4) || timestamp (8, big-endian) || signature (64))
//
// with key ID = SHA-256(name || 0x0A || 0x04 || public key)[:4] (signature type 0x04), and a
// verifier key <name>+<key ID hex>+base64(0x04 || public key). The timestamp is POSIX seconds and
// never 0. A cosignature says: as of that time, the largest tree this witness has seen of that
// log had that root.
//
// A witness policy (WitnessPolicy) is k of n witness keys: a checkpoint counts as witnessed when
// at least k of them cosigned it. Lines by other keys are ignored, as signed notes require; a line
// that names a known key but does not verify fails the check.
#ifndef ENGAGEMENT_LEDGER_COSIGNATURE_H_
#define ENGAGEMENT_LEDGER_COSIGNATURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ledger/signed_note.h"

namespace ledger {

// What a cosigner signs for the checkpoint note text `text` at `timestamp`.
std::string CosignedMessage(absl::string_view text, uint64_t timestamp);

// A witness's signing key.
class Cosigner {
 public:
  // A PEM PKCS#8 Ed25519 key file (as NoteSigner::Load), for the witness named `name`.
  static absl::StatusOr<Cosigner> Load(const std::string& key_file, absl::string_view name);
  static absl::StatusOr<Cosigner> FromSeed(absl::string_view name, absl::string_view seed);

  const std::string& name() const { return signer_.key_name(); }
  // The verifier key to give to those who check its cosignatures.
  std::string VerifierKey() const { return signer_.VerifierKey(); }
  // The cosignature line (ending in '\n') of checkpoint note text `text` at `timestamp` (> 0).
  absl::StatusOr<std::string> Cosign(absl::string_view text, uint64_t timestamp) const;

 private:
  explicit Cosigner(NoteSigner signer) : signer_(std::move(signer)) {}
  NoteSigner signer_;
};

// Checks one witness's cosignatures.
class CosignatureVerifier {
 public:
  // INVALID_ARGUMENT when `verifier_key` is malformed or not a cosignature (0x04) key.
  static absl::StatusOr<CosignatureVerifier> Parse(absl::string_view verifier_key);

  const std::string& name() const { return verifier_.key_name(); }
  uint32_t key_id() const { return verifier_.key_id(); }

  // The timestamp of this witness's valid cosignature on `note` (a signed checkpoint with any
  // number of signature lines). NOT_FOUND when it carries none by this key; UNAUTHENTICATED when
  // one names this key and does not verify (or has timestamp 0); INVALID_ARGUMENT when the note is
  // malformed.
  absl::StatusOr<uint64_t> Verify(absl::string_view note) const;

 private:
  explicit CosignatureVerifier(NoteVerifier verifier) : verifier_(std::move(verifier)) {}
  NoteVerifier verifier_;
};

struct WitnessedBy {
  std::string witness;
  uint64_t timestamp = 0;
};

// k of n witnesses.
class WitnessPolicy {
 public:
  // `verifier_keys`: the witnesses' keys; `quorum`: how many must have cosigned (0: all of them).
  // INVALID_ARGUMENT for a malformed key, two keys of one witness, or a quorum above n.
  static absl::StatusOr<WitnessPolicy> Parse(const std::vector<std::string>& verifier_keys,
                                             size_t quorum);
  WitnessPolicy() = default;

  bool empty() const { return witnesses_.empty(); }
  size_t quorum() const { return quorum_; }
  size_t size() const { return witnesses_.size(); }
  // "2 of 3 witnesses (a.example/w, b.example/w, c.example/w)".
  std::string Describe() const;

  // The witnesses of the policy whose valid cosignatures `note` carries, when they are at least
  // the quorum. FAILED_PRECONDITION naming who cosigned and who did not when they are fewer;
  // UNAUTHENTICATED when a line names a witness of the policy and does not verify.
  absl::StatusOr<std::vector<WitnessedBy>> Check(absl::string_view note) const;

 private:
  std::vector<CosignatureVerifier> witnesses_;
  size_t quorum_ = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_COSIGNATURE_H_
