// Sealing: authenticated encryption of a small value under a key, through OpenSSL's EVP interface.
//
// Two constructions, both AES-256-GCM with a 12-byte nonce and a 16-byte tag:
//
//   Seal         random nonce. For wrapping data keys under the master key.
//   SealSynthetic nonce = the first 12 bytes of HMAC-SHA256(nonce_key, aad || 0x00 || plaintext),
//                so the same plaintext under the same keys seals to the same bytes. The ledger
//                needs that: a retried append must produce the same canonical record to be
//                recognised as the same event. Different plaintexts get different nonces except
//                with probability 2^-96 per pair; equal plaintexts reveal only that they are equal
//                (the same person's data sealed twice under that person's own key).
//
// Sealed bytes: nonce (12) || ciphertext (as long as the plaintext) || tag (16). The associated
// data (aad) is authenticated but not stored: the opener must supply the same bytes, which binds a
// sealed value to what it belongs to (for example a participant id).
//
// Keys are 32 bytes. No function here logs or puts key or plaintext bytes in a status message.
#ifndef ENGAGEMENT_LEDGER_SEALED_BOX_H_
#define ENGAGEMENT_LEDGER_SEALED_BOX_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger {

inline constexpr size_t kSealKeySize = 32;
inline constexpr size_t kSealNonceSize = 12;
inline constexpr size_t kSealTagSize = 16;
inline constexpr size_t kSealOverhead = kSealNonceSize + kSealTagSize;

// `size` bytes from OpenSSL's CSPRNG.
absl::StatusOr<std::string> RandomBytes(size_t size);

absl::StatusOr<std::string> Seal(absl::string_view key, absl::string_view aad,
                                 absl::string_view plaintext);

absl::StatusOr<std::string> SealSynthetic(absl::string_view key, absl::string_view nonce_key,
                                          absl::string_view aad, absl::string_view plaintext);

// Opens what either Seal function made. DATA_LOSS when the bytes, the key or the aad do not match
// (the tag does not verify): never a partial plaintext.
absl::StatusOr<std::string> Open(absl::string_view key, absl::string_view aad,
                                 absl::string_view sealed);

// Overwrites a string's bytes before it is freed (keys held in memory).
void Wipe(std::string& secret);

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_SEALED_BOX_H_
