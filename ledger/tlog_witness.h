// A witness of other logs' checkpoints: the C2SP tlog-witness protocol's add-checkpoint
// (https://c2sp.org/tlog-witness), without the HTTP around it (services/witnessd_main.cc serves
// it; services/witness_client.h calls it).
//
// The request body is
//
//   "old " <size the client believes the witness last cosigned, decimal> "\n"
//   <consistency proof from that size to the checkpoint's: one base64 hash per line, at most 63>
//   "\n"
//   <the signed checkpoint note>
//
// and the witness answers, checking in this order:
//   404  the checkpoint's origin is not a log it knows
//   403  the note carries no valid signature by that log's key (or a bad one by it)
//   400  the body is malformed, or old is larger than the checkpoint's size
//   409  old is not the size it last cosigned for that log: the body is that size and "\n",
//        Content-Type text/x.tlog.size (0 for a log it never cosigned); or old equals the
//        checkpoint's size and the roots differ
//   422  the proof does not show the checkpoint consistent with the tree it last cosigned (or is
//        not empty when old is 0)
//   200  it stored the checkpoint's size and root, then answers its cosignature line
//        (cosignature.h), timestamped now
// The check of old against the stored size and the store of the new one are one atomic step, and
// the new state is durable before the answer, so that the witness never cosigns a smaller or
// another tree of a log after a larger one.
#ifndef ENGAGEMENT_LEDGER_TLOG_WITNESS_H_
#define ENGAGEMENT_LEDGER_TLOG_WITNESS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "ledger/cosignature.h"
#include "ledger/signed_note.h"

namespace ledger {

inline constexpr size_t kMaxWitnessProofHashes = 63;
inline constexpr char kTlogSizeContentType[] = "text/x.tlog.size";

struct AddCheckpointRequest {
  uint64_t old_size = 0;
  std::vector<std::string> proof;  // 32-byte hashes
  std::string note;                // the signed checkpoint
};

// The request body of `request`.
std::string FormatAddCheckpoint(const AddCheckpointRequest& request);
// INVALID_ARGUMENT, saying what, when `body` is not an add-checkpoint body.
absl::StatusOr<AddCheckpointRequest> ParseAddCheckpoint(absl::string_view body);

// What a witness last cosigned for one log.
struct WitnessedTree {
  uint64_t size = 0;
  std::string root_hash;  // 32 bytes
};

// Where a witness keeps, per log, the tree it last cosigned. Implementations are durable before
// they return.
class WitnessStateStore {
 public:
  virtual ~WitnessStateStore() = default;
  // nullopt for a log never cosigned.
  virtual absl::StatusOr<std::optional<WitnessedTree>> Get(absl::string_view origin) const = 0;
  virtual absl::Status Put(absl::string_view origin, const WitnessedTree& tree) = 0;
};

// One file per log under a directory: <directory>/<hex SHA-256 of the origin>, holding the
// origin, the size and the base64 root on three lines, replaced atomically (written aside,
// synced, renamed, the directory synced).
class FileWitnessStateStore final : public WitnessStateStore {
 public:
  // Creates `directory` if missing.
  static absl::StatusOr<std::unique_ptr<FileWitnessStateStore>> Open(const std::string& directory);
  absl::StatusOr<std::optional<WitnessedTree>> Get(absl::string_view origin) const override;
  absl::Status Put(absl::string_view origin, const WitnessedTree& tree) override;

 private:
  explicit FileWitnessStateStore(std::string directory) : directory_(std::move(directory)) {}
  std::string PathOf(absl::string_view origin) const;
  std::string directory_;
};

struct WitnessResponse {
  int http_status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class Witness {
 public:
  // `logs`: the verifier keys (signed_note.h) of the logs it witnesses, each named by its origin.
  // `now` gives the cosignatures' timestamps (POSIX seconds). Nothing is owned but the keys;
  // `state` must outlive the witness.
  Witness(Cosigner cosigner, std::vector<NoteVerifier> logs, WitnessStateStore* state,
          std::function<uint64_t()> now);

  const Cosigner& cosigner() const { return cosigner_; }

  // Answers one add-checkpoint request body. Safe to call concurrently.
  WitnessResponse AddCheckpoint(absl::string_view body);

 private:
  Cosigner cosigner_;
  std::map<std::string, NoteVerifier, std::less<>> logs_;  // by origin
  WitnessStateStore* state_;
  std::function<uint64_t()> now_;
  absl::Mutex mu_;  // one request at a time changes the state
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_TLOG_WITNESS_H_
