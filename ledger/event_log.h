// EventLog: the narrow interface every storage backend of the ledger implements.
//
// The log is a totally ordered, append-only sequence of events. Each event belongs to one stream
// and has a 0-based revision in it and a dense global position from 1. Services and projections
// talk only to this interface, so that the embedded RocksDB backend (rocksdb_event_log.h) can be
// joined later by a replicated one without touching them.
//
// Thread safety: every method may be called from any thread concurrently.
// Errors: absl::Status values; no exception leaves an implementation.
#ifndef ENGAGEMENT_LEDGER_EVENT_LOG_H_
#define ENGAGEMENT_LEDGER_EVENT_LOG_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "engagement/v1/event.pb.h"
#include "ledger/append_guard.h"
#include "ledger/log_filter.h"

namespace ledger {

// The optimistic-concurrency condition of an append.
struct ExpectedRevision {
  enum class Kind { kAny, kNoStream, kStreamExists, kExact };
  Kind kind = Kind::kAny;
  uint64_t revision = 0;  // with kExact only

  static ExpectedRevision Any() { return {Kind::kAny, 0}; }
  static ExpectedRevision NoStream() { return {Kind::kNoStream, 0}; }
  static ExpectedRevision StreamExists() { return {Kind::kStreamExists, 0}; }
  static ExpectedRevision Exactly(uint64_t revision) { return {Kind::kExact, revision}; }
};

// Events to append to one stream, all or nothing. The caller has validated the envelopes
// (envelope_validation.h); ledger fields in the events are overwritten.
struct AppendBatch {
  std::string stream;
  ExpectedRevision expected;
  std::vector<engagement::v1::Event> events;
  // Migration only (`ledgerctl migrate`, offline): the events keep the recorded_at they carry,
  // which must not decrease along the log. Servers never set it.
  bool keep_recorded_at = false;
};

struct AppendResult {
  std::vector<uint64_t> positions;   // in batch order
  std::vector<std::string> event_ids;
  uint64_t stream_revision = 0;      // of the batch's last event
  bool already_appended = false;     // an idempotent repeat: nothing was written
  std::string last_hash;             // raw 32 bytes
};

struct LogHead {
  uint64_t position = 0;  // 0 for an empty log; also the number of events
  std::string hash;       // raw 32 bytes; GenesisHash() for an empty log
  uint64_t stream_count = 0;
};

struct StreamInfo {
  uint64_t revision = 0;
  uint64_t first_position = 0;
  uint64_t last_position = 0;
};

struct StreamReadOptions {
  std::string stream;
  uint64_t from_revision = 0;
  bool backwards = false;
  bool from_end = false;  // backwards from the last event
  uint64_t limit = 0;     // 0: no limit
};

struct LogReadOptions {
  uint64_t from_position = 1;
  uint64_t to_position = 0;  // inclusive; 0: the head when the read starts
  uint64_t limit = 0;        // matching events; 0: no limit
  LogFilter filter;
};

// Called once per event read, in order; `canonical_record` is the exact hashed bytes. Return false
// to stop reading.
using EventVisitor =
    absl::FunctionRef<bool(const engagement::v1::Event& event, absl::string_view canonical_record)>;

// Receives the outcome of an asynchronous append. It runs on a thread of the log's (the same
// one for every append, in commit order), so it must be quick and must not wait for another
// append to complete.
using AppendCallback = std::function<void(absl::StatusOr<AppendResult>)>;

class EventLog {
 public:
  virtual ~EventLog() = default;

  // As Append, but returns at once; `done` is called exactly once, after the events are durable
  // or the append has failed. Lets a server take many appends without a thread each.
  virtual void AppendAsync(AppendBatch batch, AppendCallback done) = 0;

  // Appends durably: returns only once the events are synced to disk. ABORTED when the expected
  // revision does not hold (the message gives the actual one); ALREADY_EXISTS when an event id
  // was appended before with different content, or in another batch; the original positions
  // (already_appended = true) when every event of the batch was appended before with the same
  // content. UNAVAILABLE once a write has failed: the log then refuses writes until reopened.
  virtual absl::StatusOr<AppendResult> Append(AppendBatch batch) = 0;

  // Reads one stream. NOT_FOUND when it does not exist.
  virtual absl::Status ReadStream(const StreamReadOptions& options, EventVisitor visit) const = 0;

  // Reads the log forwards.
  virtual absl::Status ReadLog(const LogReadOptions& options, EventVisitor visit) const = 0;

  virtual LogHead Head() const = 0;

  // NOT_FOUND when the stream does not exist.
  virtual absl::StatusOr<StreamInfo> GetStreamInfo(absl::string_view stream) const = 0;

  // Blocks until the head is beyond `position`, the timeout passes or the log shuts down;
  // returns the head position then.
  virtual uint64_t WaitForHeadBeyond(uint64_t position, absl::Duration timeout) const = 0;

  // Wakes every waiter and makes later waits return at once; appends still work.
  virtual void BeginShutdown() = 0;
  virtual bool ShuttingDown() const = 0;

  // The RFC 9162 Merkle tree over the log, leaf i being the canonical record at position i + 1.
  // Each costs O(log n) reads. OUT_OF_RANGE when a size is beyond the head.
  virtual absl::StatusOr<std::string> TreeRoot(uint64_t tree_size) const = 0;
  // The inclusion proof of the event at `position` in the tree of `tree_size` leaves.
  virtual absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t position,
                                                                  uint64_t tree_size) const = 0;
  // The consistency proof between the trees of `old_size` and `new_size` leaves.
  virtual absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size,
                                                                    uint64_t new_size) const = 0;

  // The guard's committed state under `key` (append_guard.h), read outside the commit order: it
  // reflects every acknowledged append, and perhaps some being committed. For read-only views of
  // the guard's state (who a participant is, whether they were erased); decisions that must be
  // consistent with appends belong in the guard. nullopt when there is no value.
  virtual absl::StatusOr<std::optional<std::string>> ReadGuardState(absl::string_view key) const = 0;

  // Called now and then while InstallAppendGuard replays events: how many so far, of how many.
  using ReplayProgress = std::function<void(uint64_t replayed, uint64_t total)>;

  // Installs the check appends must pass (not owned; must outlive the log), after bringing its
  // state up to the head: the events appended while no guard was installed are replayed into it
  // (normally none), or the whole log when the guard's StateVersion changed. Returns how many
  // events were replayed. Call once, before the first append; FAILED_PRECONDITION if appends
  // arrived meanwhile.
  virtual absl::StatusOr<uint64_t> InstallAppendGuard(AppendGuard* guard,
                                                      ReplayProgress progress = nullptr) = 0;
};

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_EVENT_LOG_H_
