// Signed notes (C2SP signed-note, https://c2sp.org/signed-note) with Ed25519 keys, the envelope
// of the ledger's checkpoints (checkpoint.h).
//
// A note is a text ending in '\n', a blank line, and one or more signature lines
//
//   U+2014 (em dash) ' ' <key name> ' ' base64(key ID (4 bytes, big-endian) || signature) '\n'
//
// where, for Ed25519 (signature type 0x01), the signature is RFC 8032 Ed25519 over the text
// (final newline included) and
//
//   key ID = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]
//
// Base64 is standard with padding (RFC 4648 section 4). A note must be valid UTF-8 with no
// control character but '\n'; the text is separated from the signatures by its LAST blank line.
// Key names are non-empty and contain neither Unicode spaces nor '+'.
//
// A verifier key (the public half, to hand to auditors) is the Go sumdb/note "vkey" string:
//
//   <key name> '+' <key ID, 8 hex digits> '+' base64(0x01 || 32-byte public key)
//
// Private key files are PEM "PRIVATE KEY" (unencrypted PKCS#8) Ed25519 keys, exactly what
// `openssl genpkey -algorithm ed25519 -out FILE` writes; `openssl pkey -in FILE -pubout` shows
// the public key. The key file holds no name: the name is given when the key is loaded.
//
// Errors: INVALID_ARGUMENT for anything malformed; UNAUTHENTICATED when a note is well formed but
// carries no valid signature by the expected key. Messages say what is wrong. Both classes are
// immutable once made and safe to use from any thread.
#ifndef ENGAGEMENT_LEDGER_SIGNED_NOTE_H_
#define ENGAGEMENT_LEDGER_SIGNED_NOTE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY

namespace ledger {

inline constexpr unsigned char kNoteEd25519 = 0x01;  // the signature type byte
inline constexpr unsigned char kNoteCosignatureV1 = 0x04;  // C2SP tlog-cosignature/v1, Ed25519
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;
// A note with more signature lines than this is refused (the spec asks for at least 16).
inline constexpr size_t kMaxNoteSignatures = 100;

// Non-empty valid UTF-8 without Unicode spaces, '+' or control characters.
bool IsValidNoteKeyName(absl::string_view name);

// SHA-256(key name || 0x0A || type || public key)[:4], big-endian. `type` is the signature type
// byte: 0x01 for note signatures, 0x04 for C2SP tlog-cosignature/v1 (cosignature.h).
uint32_t NoteKeyId(absl::string_view key_name, absl::string_view public_key,
                   unsigned char type = kNoteEd25519);

// The verifier key string of an Ed25519 public key (32 raw bytes) under `key_name`:
// <name>+<key ID, 8 hex>+base64(type || public key).
std::string NoteVerifierKey(absl::string_view key_name, absl::string_view public_key,
                            unsigned char type = kNoteEd25519);

// A note split into its text and signature lines, checked for form only (no signature checked).
struct NoteSignatureLine {
  std::string key_name;
  uint32_t key_id = 0;
  std::string signature;  // the bytes after the key ID
  std::string line;       // the whole line, with its '\n'
};
struct SplitNote {
  std::string text;  // ends in '\n'
  std::vector<NoteSignatureLine> signatures;
};
// INVALID_ARGUMENT, saying what, when `note` is not a well-formed signed note.
absl::StatusOr<SplitNote> SplitSignedNote(absl::string_view note);

class NoteSigner {
 public:
  // Loads a PEM PKCS#8 Ed25519 private key file. NOT_FOUND when the file does not exist;
  // INVALID_ARGUMENT when it is not an unencrypted Ed25519 key or `key_name` is not valid.
  // `type` is the signature type its key ID and verifier key are for.
  static absl::StatusOr<NoteSigner> Load(const std::string& key_file, absl::string_view key_name,
                                         unsigned char type = kNoteEd25519);

  // From the 32-byte RFC 8032 private key (seed), for tests and tools.
  static absl::StatusOr<NoteSigner> FromSeed(absl::string_view key_name, absl::string_view seed,
                                             unsigned char type = kNoteEd25519);

  // Writes a new random Ed25519 key to `path` in the format Load reads, readable by its owner
  // only (mode 0600), durably (fsync of the file and its directory). Never replaces a file:
  // ALREADY_EXISTS when `path` exists.
  static absl::Status GenerateKeyFile(const std::string& path);

  const std::string& key_name() const { return name_; }
  // The raw 32-byte Ed25519 public key.
  const std::string& public_key() const { return public_key_; }
  uint32_t key_id() const { return id_; }
  // The verifier key string auditors use to check this signer's notes.
  std::string VerifierKey() const { return NoteVerifierKey(name_, public_key_, type_); }

  // The 64-byte Ed25519 signature of `message` (for signature types that sign more than the
  // note text, e.g. cosignatures).
  absl::StatusOr<std::string> SignMessage(absl::string_view message) const;

  // The signed note of `text`: text, blank line, one signature line. INVALID_ARGUMENT when the
  // text is empty, does not end in '\n', or is not valid UTF-8 free of control characters
  // other than '\n'.
  absl::StatusOr<std::string> Sign(absl::string_view text) const;

 private:
  NoteSigner() = default;
  std::shared_ptr<evp_pkey_st> key_;
  std::string name_;
  std::string public_key_;
  uint32_t id_ = 0;
  unsigned char type_ = kNoteEd25519;
};

class NoteVerifier {
 public:
  // Parses a verifier key string. INVALID_ARGUMENT, saying why, when it is malformed, names
  // another signature type than `type`, or its key ID does not match its name and key.
  static absl::StatusOr<NoteVerifier> Parse(absl::string_view verifier_key,
                                            unsigned char type = kNoteEd25519);

  const std::string& key_name() const { return name_; }
  const std::string& public_key() const { return public_key_; }
  uint32_t key_id() const { return id_; }

  // Returns the text of `note` when it carries a valid signature by this key. Signatures by
  // other keys (another name or key ID) are ignored, as the spec requires; a signature that
  // names this key but does not verify makes the whole note fail.
  absl::StatusOr<std::string> Open(absl::string_view note) const;

  // Whether `signature` (64 bytes) is this key's Ed25519 signature of `message`.
  bool VerifyMessage(absl::string_view message, absl::string_view signature) const;

 private:
  NoteVerifier() = default;
  std::shared_ptr<evp_pkey_st> key_;
  std::string name_;
  std::string public_key_;
  uint32_t id_ = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_SIGNED_NOTE_H_
