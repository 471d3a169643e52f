// MasterKey: the key that wraps every participant's data key (subject_key_store.h).
//
// It is 32 random bytes, kept apart from the data directory: in a file (64 hex digits, mode 0600,
// on a mounted secret) or in an environment variable holding the same hex. A KMS or HSM would hold
// it instead and unwrap data keys on request; docs/security.md says how that fits. Whoever has the
// master key and a copy of the key store can read every person's data that has not been erased;
// whoever has only the data directory can read no one's.
//
// `id` names the key without revealing it (the first 8 bytes of SHA-256 over "master-key-id" and
// the key, in hex), so that a key store can say which key it needs.
#ifndef ENGAGEMENT_LEDGER_MASTER_KEY_H_
#define ENGAGEMENT_LEDGER_MASTER_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger {

class MasterKey {
 public:
  // Parses 64 hex digits (surrounding white space ignored). INVALID_ARGUMENT otherwise; the
  // message never repeats the text.
  static absl::StatusOr<MasterKey> FromHex(absl::string_view hex);
  // Reads the hex from `path`. NOT_FOUND when there is no such file.
  static absl::StatusOr<MasterKey> FromFile(const std::string& path);
  // Writes a new random key's hex to `path` with mode 0600; fails if the file exists.
  static absl::Status GenerateFile(const std::string& path);

  MasterKey(const MasterKey& other) = default;
  MasterKey& operator=(const MasterKey& other) = default;
  MasterKey(MasterKey&& other) = default;
  MasterKey& operator=(MasterKey&& other) = default;
  ~MasterKey();

  // The 32 raw key bytes.
  absl::string_view bytes() const { return bytes_; }
  // The key's public name (16 hex digits).
  const std::string& id() const { return id_; }

 private:
  explicit MasterKey(std::string bytes);

  std::string bytes_;
  std::string id_;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_MASTER_KEY_H_
