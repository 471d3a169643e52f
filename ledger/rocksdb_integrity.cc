// The integrity side of RocksDbEventLog: the Merkle tree kept with the log (recovery, roots,
// proofs) and the store of signed checkpoints. The append path grows the tree in
// rocksdb_append.cc; this file reads it.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/rocksdb_event_log.h"

#include "ledger/signed_note.h"
#include "ledger/rocksdb_status.h"
#include "rocksdb/write_batch.h"

namespace ledger {

using log_format::DecodeFixed64BE;

absl::Status RocksDbEventLog::RecoverTree(uint64_t head) {
  uint64_t tree_size = 0;
  std::string stored;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, log_format::kTreeSizeKey, &stored);
  if (s.ok()) {
    if (!DecodeFixed64BE(stored, &tree_size)) return absl::DataLossError("malformed tree size");
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading the tree size");
  }
  if (tree_size > head) {
    return absl::DataLossError(absl::StrCat("the Merkle tree has ", tree_size,
                                            " leaves but the log ends at ", head));
  }
  absl::StatusOr<MerkleAppender> appender = MerkleAppender::Restore(*tree_, tree_size);
  if (!appender.ok()) return appender.status();
  if (tree_size < head && !options_.read_only) {
    // Hash the missing leaves from the stored records, in chunks.
    uint64_t next = tree_size + 1;
    while (next <= head) {
      uint64_t last = std::min(head, next + 99999);
      std::vector<std::string> leaves;
      absl::Status read = ReadLog(LogReadOptions{next, last, 0, {}},
                                  [&](const engagement::v1::Event&, absl::string_view record) {
                                    leaves.push_back(MerkleLeafHash(record));
                                    return true;
                                  });
      if (!read.ok()) return read;
      absl::StatusOr<std::vector<MerkleNode>> nodes = appender->Append(leaves);
      if (!nodes.ok()) return nodes.status();
      rocksdb::WriteBatch batch;
      absl::Status added = RocksDbMerkleNodeStore::AddToBatch(*nodes, merkle_, &batch,
                                                              merkle_format::kLowestStoredLevel);
      if (!added.ok()) return added;
      batch.Put(meta_, log_format::kTreeSizeKey, log_format::EncodeFixed64BE(last));
      rocksdb::WriteOptions sync;
      sync.sync = true;
      s = db_->Write(sync, &batch);
      if (!s.ok()) return FromRocks(s, "writing the Merkle tree");
      next = last + 1;
    }
  }
  tree_appender_ = *std::move(appender);
  return absl::OkStatus();
}

absl::Status RocksDbEventLog::SaveCheckpoint(const StoredCheckpoint& checkpoint) {
  // After a failed write RocksDB's write-ahead log takes no more writes (Debian's build aborts).
  if (absl::Status failed = WriteError(); !failed.ok()) {
    return absl::UnavailableError(absl::StrCat("the log refuses writes after a failed write: ",
                                               failed.message()));
  }
  std::string key = log_format::EncodeFixed64BE(checkpoint.tree_size);
  std::string value = checkpoint.root_hash + checkpoint.note;
  std::string existing;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), checkpoints_, key, &existing);
  if (s.ok()) {
    if (existing.substr(0, log_format::kHashSize) != checkpoint.root_hash) {
      return absl::AlreadyExistsError(absl::StrCat(
          "a checkpoint of tree size ", checkpoint.tree_size, " with another root is stored"));
    }
    return absl::OkStatus();  // the same tree, signed again: keep the first
  }
  if (!s.IsNotFound()) return FromRocks(s, "reading checkpoints");
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db_->Put(sync, checkpoints_, key, value), "saving a checkpoint");
}

namespace {

absl::StatusOr<StoredCheckpoint> DecodeCheckpoint(const rocksdb::Slice& key,
                                                  const rocksdb::Slice& value) {
  StoredCheckpoint checkpoint;
  if (!DecodeFixed64BE(View(key), &checkpoint.tree_size) ||
      value.size() < log_format::kHashSize) {
    return absl::DataLossError("malformed stored checkpoint");
  }
  checkpoint.root_hash = std::string(value.data(), log_format::kHashSize);
  checkpoint.note = std::string(value.data() + log_format::kHashSize,
                                value.size() - log_format::kHashSize);
  return checkpoint;
}

}  // namespace

absl::StatusOr<std::optional<StoredCheckpoint>> RocksDbEventLog::LatestCheckpoint() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), checkpoints_));
  it->SeekToLast();
  if (!it->Valid()) {
    if (!it->status().ok()) return FromRocks(it->status(), "reading checkpoints");
    return std::optional<StoredCheckpoint>();
  }
  absl::StatusOr<StoredCheckpoint> checkpoint = DecodeCheckpoint(it->key(), it->value());
  if (!checkpoint.ok()) return checkpoint.status();
  return std::optional<StoredCheckpoint>(*std::move(checkpoint));
}

absl::StatusOr<std::vector<StoredCheckpoint>> RocksDbEventLog::ListCheckpoints() const {
  std::vector<StoredCheckpoint> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), checkpoints_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    absl::StatusOr<StoredCheckpoint> checkpoint = DecodeCheckpoint(it->key(), it->value());
    if (!checkpoint.ok()) return checkpoint.status();
    out.push_back(*std::move(checkpoint));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading checkpoints");
  return out;
}

absl::Status RocksDbEventLog::AddCosignatures(uint64_t tree_size,
                                              const std::vector<std::string>& lines) {
  absl::MutexLock lock(&cosignatures_mu_);  // read, append, write: one at a time
  std::string key = log_format::EncodeFixed64BE(tree_size);
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), checkpoints_, key, &value);
  if (s.IsNotFound()) {
    return absl::NotFoundError(absl::StrCat("no checkpoint of tree size ", tree_size));
  }
  if (!s.ok()) return FromRocks(s, "reading checkpoints");
  absl::StatusOr<SplitNote> note = SplitSignedNote(absl::string_view(value).substr(log_format::kHashSize));
  if (!note.ok()) return absl::DataLossError("the stored checkpoint note is malformed");
  std::string added;
  for (const std::string& line : lines) {
    absl::StatusOr<SplitNote> one = SplitSignedNote(absl::StrCat(note->text, "\n", line));
    if (!one.ok() || one->signatures.size() != 1) {
      return absl::InvalidArgumentError("not one signature line");
    }
    bool known = false;
    for (const NoteSignatureLine& existing : note->signatures) {
      known |= existing.key_name == one->signatures[0].key_name &&
               existing.key_id == one->signatures[0].key_id;
    }
    if (known) continue;
    note->signatures.push_back(one->signatures[0]);
    added += one->signatures[0].line;
  }
  if (added.empty()) return absl::OkStatus();
  if (absl::Status failed = WriteError(); !failed.ok()) {
    return absl::UnavailableError(absl::StrCat("the log refuses writes after a failed write: ",
                                               failed.message()));
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db_->Put(sync, checkpoints_, key, value + added), "saving cosignatures");
}

absl::StatusOr<std::string> RocksDbEventLog::TreeRoot(uint64_t tree_size) const {
  if (tree_size > Head().position) {
    return absl::OutOfRangeError(absl::StrCat("tree_size ", tree_size, " is beyond the head"));
  }
  return RootHash(*tree_, tree_size);
}

absl::StatusOr<std::vector<std::string>> RocksDbEventLog::InclusionProof(uint64_t position,
                                                                         uint64_t tree_size) const {
  if (tree_size > Head().position) {
    return absl::OutOfRangeError(absl::StrCat("tree_size ", tree_size, " is beyond the head"));
  }
  if (position == 0 || position > tree_size) {
    return absl::OutOfRangeError(
        absl::StrCat("position ", position, " is not in a tree of ", tree_size, " events"));
  }
  return ledger::InclusionProof(*tree_, position - 1, tree_size);
}

absl::StatusOr<std::vector<std::string>> RocksDbEventLog::ConsistencyProof(
    uint64_t old_size, uint64_t new_size) const {
  if (new_size > Head().position || old_size > new_size) {
    return absl::OutOfRangeError(absl::StrCat("sizes ", old_size, " and ", new_size,
                                              " must satisfy old <= new <= head"));
  }
  return ledger::ConsistencyProof(*tree_, old_size, new_size);
}

}  // namespace ledger
