// ProjectionDatabase: the RocksDB database (under <data_dir>/projections) that holds every
// projection's records and its progress, kept apart from the event log's database.
//
// Layout: for a projection named N,
//   N 0x00 'r' <record key>   a record of N's state
//   N 0x00 'p'                N's progress: position (8-byte big-endian) || version (4 bytes)
//   N 0x00 'h' ..., 'H'       every version of every record, by position (state_history.h)
// A chunk of events is applied in memory and committed in one WriteBatch together with the new
// progress, so the state on disk always equals the log applied exactly up to that position (after
// a crash, perhaps an earlier position: the runner then applies the rest again).
#ifndef ENGAGEMENT_PROJECTIONS_ROCKSDB_STATE_STORE_H_
#define ENGAGEMENT_PROJECTIONS_ROCKSDB_STATE_STORE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "projections/projection.h"
#include "projections/projection_check.h"
#include "projections/state_store.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace projections {

struct Progress {
  uint64_t position = 0;  // every event up to here is applied
  uint32_t version = 0;   // the projection code version that applied them
};

class ProjectionDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<ProjectionDatabase>> Open(const std::string& directory);
  ~ProjectionDatabase();

  absl::StatusOr<Progress> GetProgress(absl::string_view name) const;

  // Reads the committed state of projection `name`. Valid while the database is open.
  std::unique_ptr<StateReader> Reader(absl::string_view name) const;

  // The committed state of `name` and its progress as they stood at one moment: later commits
  // do not show through `state`. Valid while the database is open.
  struct Snapshot {
    Progress progress;
    std::unique_ptr<StateReader> state;
    // Its history as stored then, keys being history keys and values versions
    // (state_history.h); null when it keeps none.
    std::unique_ptr<StateReader> history;
  };
  absl::StatusOr<Snapshot> TakeSnapshot(absl::string_view name) const;

  // The records of `projection` as they stood once `position` was applied, from its history
  // (state_history.h), at a snapshot taken now. UNAVAILABLE when its history does not cover
  // `position` (state written before histories were kept, or not yet applied that far): the
  // caller then replays the log instead. `projection` must outlive the reader.
  absl::StatusOr<std::unique_ptr<StateReader>> ReadAsOf(const Projection& projection,
                                                        uint64_t position) const;

  // Writes for one chunk of events: reads see the committed state plus the chunk's own writes.
  class Chunk final : public StateWriter {
   public:
    absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) const override;
    absl::Status Scan(absl::string_view prefix,
                      absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
        const override;
    void Put(absl::string_view key, absl::string_view value) override;
    void Delete(absl::string_view key) override;
    // The position of the event about to be applied: its writes are kept in the history as of
    // it. Until this is called, no history is kept.
    void SetPosition(uint64_t position) { position_ = position; }
    // This chunk starts the projection from position zero: the history covers it all.
    void StartHistory() { starts_history_ = true; }
    // Writes the chunk and the new progress atomically (not synced: projection state can always
    // be recomputed from the log, so it is flushed by RocksDB in its own time and on close).
    absl::Status Commit(const Progress& progress);

   private:
    friend class ProjectionDatabase;
    Chunk(const ProjectionDatabase* db, std::string name, const Projection* projection)
        : db_(db), name_(std::move(name)), projection_(projection) {}
    void Keep(absl::string_view key, const std::optional<std::string>& value);
    const ProjectionDatabase* db_;
    std::string name_;
    const Projection* projection_;  // null: no history
    std::map<std::string, std::optional<std::string>, std::less<>> pending_;
    uint64_t position_ = 0;
    bool starts_history_ = false;
    // (history key after N 0x00 'h', version), in the order written: a later write of the same
    // key at the same position comes later in the batch, and so wins.
    std::vector<std::pair<std::string, std::string>> history_;
  };
  // `projection`, when given, decides what the chunk keeps in the history (Projection::
  // HistoryValue); it must outlive the chunk.
  std::unique_ptr<Chunk> BeginChunk(absl::string_view name, const Projection* projection = nullptr);

  // Scratch space in this database (under N 0x00 'c') for the history a check replays from the
  // log: sorted on disk rather than held in memory. Removed when destroyed.
  class HistoryScratch final : public HistoryCopy {
   public:
    ~HistoryScratch() override;
    void Put(absl::string_view history_key, absl::string_view version) override;
    absl::Status Flush() override;
    const StateReader& Reader() const override { return *reader_; }

   private:
    friend class ProjectionDatabase;
    HistoryScratch(const ProjectionDatabase* db, std::string name);
    const ProjectionDatabase* db_;
    std::string name_;
    rocksdb::WriteBatch batch_;
    absl::Status failed_;
    std::unique_ptr<StateReader> reader_;
  };
  std::unique_ptr<HistoryScratch> BeginHistoryScratch(absl::string_view name);

  // Removes every record and the progress of `name` (before a rebuild).
  absl::Status Clear(absl::string_view name);

  // A consistent copy of the database in `directory` (which must not exist).
  absl::Status CopyTo(const std::string& directory);

  // Rewrites the files that hold record `key` of `name` so that none keeps an older version of
  // it: the memtable is flushed and the key's range compacted down to the last level. After an
  // erasure, so that a person's former equality categories are gone from disk, not only
  // superseded. (Chunks are written without a WAL, so no log file holds them.)
  absl::Status Purge(absl::string_view name, absl::string_view key);

 private:
  ProjectionDatabase() = default;
  friend class Chunk;
  std::string RecordKey(absl::string_view name, absl::string_view key) const;
  void ClearScratch(absl::string_view name) const;

  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_ROCKSDB_STATE_STORE_H_
