// SharedKeyDirectory: where the nodes of a replicated ledger share participants' wrapped data
// keys and their erasures (docs/replication.md section 7).
//
// A SubjectKeyStore given one (SubjectKeyStore::SetShared) keeps using its own database, and also:
// a key it makes is offered to the directory, and the one that holds there is the one used (two
// nodes making a key for the same person at once agree on the first); a subject it does not know
// is looked up there; an erasure replaces the subject's entry with an erasure marker, which
// leaves no earlier value in the directory. Values are "k:" then the key as the store keeps it
// (wrapped by the master key, which every node shares), or "x:" then the erasure's Unix time.
//
// Thread safety: every method may be called from any thread.
#ifndef ENGAGEMENT_LEDGER_SHARED_KEY_DIRECTORY_H_
#define ENGAGEMENT_LEDGER_SHARED_KEY_DIRECTORY_H_

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ledger {

class SharedKeyDirectory {
 public:
  virtual ~SharedKeyDirectory() = default;
  // The subject's value; nullopt when it has none.
  virtual absl::StatusOr<std::optional<std::string>> Get(absl::string_view subject) = 0;
  // Stores `value` unless the subject has a value already; returns the value that holds.
  virtual absl::StatusOr<std::string> PutIfAbsent(absl::string_view subject,
                                                  absl::string_view value) = 0;
  // Replaces the subject's value with `value`, keeping no earlier one.
  virtual absl::Status Replace(absl::string_view subject, absl::string_view value) = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_SHARED_KEY_DIRECTORY_H_
