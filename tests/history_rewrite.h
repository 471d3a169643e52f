// RewriteHistory: a different history made the way someone with write access to a ledger's log
// directory (and the ledger stopped) would make one that passes every internal check: one event
// changed, every record from it on re-chained (its previous_hash and stored hash recomputed), the
// Merkle tree rebuilt from the new records and, optionally, the stored checkpoints the new history
// contradicts removed. What this cannot do is make the new history consistent with a checkpoint
// signed before and kept elsewhere: that is what the tests using it show.
#ifndef ENGAGEMENT_TESTS_HISTORY_REWRITE_H_
#define ENGAGEMENT_TESTS_HISTORY_REWRITE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "ledger/canonical_record.h"
#include "ledger/hash_chain.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_event_log.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "tests/raw_database.h"

namespace testing_support {

// Rewrites the log in `log_dir` (closed) from `position` on: `edit` changes the event there.
// With `drop_checkpoints`, the stored checkpoints of `position` events or more are deleted (the
// ledger would refuse to start on a history they contradict). Fails the test if it cannot.
inline void RewriteHistory(const std::string& log_dir, uint64_t position,
                           const std::function<void(engagement::v1::Event*)>& edit,
                           bool drop_checkpoints) {
  namespace log_format = ledger::log_format;
  {
    RawDatabase raw(log_dir);
    rocksdb::ColumnFamilyHandle* log = raw.family(log_format::kLogFamily);
    ASSERT_NE(log, nullptr) << log_dir;
    std::string previous = ledger::GenesisHash();
    if (position > 1) {
      std::string before;
      ASSERT_TRUE(raw.db()
                      ->Get(rocksdb::ReadOptions(), log, log_format::PositionKey(position - 1),
                            &before)
                      .ok());
      previous = before.substr(0, log_format::kHashSize);
    }
    rocksdb::WriteBatch batch;
    std::unique_ptr<rocksdb::Iterator> it(raw.db()->NewIterator(rocksdb::ReadOptions(), log));
    uint64_t rewritten = 0;
    for (it->Seek(log_format::PositionKey(position)); it->Valid(); it->Next()) {
      const std::string value = it->value().ToString();
      absl::StatusOr<engagement::v1::Event> event =
          ledger::DecodeCanonicalRecord(absl::string_view(value).substr(log_format::kHashSize));
      ASSERT_TRUE(event.ok()) << event.status();
      if (event->position() == position) edit(&*event);
      event->set_previous_hash(previous);
      const std::string record = ledger::EncodeCanonicalRecord(*event);
      const std::string hash = ledger::ChainHash(previous, record);
      ASSERT_TRUE(batch.Put(log, it->key(), hash + record).ok());
      previous = hash;
      ++rewritten;
    }
    ASSERT_TRUE(it->status().ok());
    ASSERT_GT(rewritten, 0u) << "no event at position " << position;
    if (drop_checkpoints) {
      rocksdb::ColumnFamilyHandle* checkpoints = raw.family(log_format::kCheckpointsFamily);
      std::unique_ptr<rocksdb::Iterator> c(
          raw.db()->NewIterator(rocksdb::ReadOptions(), checkpoints));
      for (c->Seek(log_format::EncodeFixed64BE(position)); c->Valid(); c->Next()) {
        ASSERT_TRUE(batch.Delete(checkpoints, c->key()).ok());
      }
    }
    // The tree goes, so that opening the log rebuilds it from the new records.
    ASSERT_TRUE(batch.Delete(raw.family(log_format::kMetaFamily), log_format::kTreeSizeKey).ok());
    ASSERT_TRUE(raw.db()->Write(rocksdb::WriteOptions(), &batch).ok());
    ASSERT_TRUE(
        raw.db()->DropColumnFamily(raw.family(ledger::merkle_format::kMerkleFamily)).ok());
  }
  auto reopened = ledger::RocksDbEventLog::Open(log_dir, ledger::RocksDbOptions());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
}

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_HISTORY_REWRITE_H_
