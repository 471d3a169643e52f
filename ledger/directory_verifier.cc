#include "ledger/directory_verifier.h"

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "ledger/chain_verifier.h"
#include "ledger/checkpoint.h"
#include "ledger/hash_chain.h"
#include "ledger/guard_state_verifier.h"
#include "ledger/index_verifier.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/merkle_tree.h"
#include "ledger/rocksdb_merkle_store.h"
#include "ledger/rocksdb_status.h"
#include "ledger/signed_note.h"
#include "rocksdb/db.h"

namespace ledger {
namespace {

// Records read from the log family, their values back to back in one buffer (one allocation per
// chunk, not per record). A chunk may end with the read error that stopped it.
struct RecordChunk {
  struct Record {
    uint64_t position;
    size_t offset;
    size_t size;
  };
  std::string bytes;
  std::vector<Record> records;
  absl::Status read_error;

  absl::string_view value(const Record& r) const {
    return absl::string_view(bytes).substr(r.offset, r.size);
  }
  void Clear() {
    bytes.clear();
    records.clear();
    read_error = absl::OkStatus();
  }
};

constexpr size_t kChunkRecords = 16384;

// Reads the next chunk from `it` (which it advances). `expected` is the position the next record
// should have, for naming a malformed key.
void ReadChunk(rocksdb::Iterator* it, uint64_t* expected, RecordChunk* chunk) {
  chunk->Clear();
  for (; it->Valid() && chunk->records.size() < kChunkRecords; it->Next()) {
    uint64_t position = 0;
    absl::string_view value = View(it->value());
    if (!log_format::DecodeFixed64BE(View(it->key()), &position)) {
      chunk->read_error =
          absl::DataLossError(absl::StrCat("position ", *expected, ": malformed key in the log"));
      return;
    }
    if (value.size() < log_format::kHashSize) {
      chunk->read_error =
          absl::DataLossError(absl::StrCat("position ", position, ": record is truncated"));
      return;
    }
    chunk->records.push_back({position, chunk->bytes.size(), value.size()});
    chunk->bytes.append(value.data(), value.size());
    *expected = position + 1;
  }
  if (!it->Valid() && !it->status().ok()) {
    chunk->read_error = FromRocks(it->status(), "reading the log");
  }
}

// The Merkle tree side of the check: leaves in log order; at each stored checkpoint's size the
// root must be the signed one.
class TreeCheck {
 public:
  // `stored`: the stored nodes, each compared with the node the records make as it completes.
  TreeCheck(const std::map<uint64_t, std::string>& signed_roots, const MerkleNodeStore& stored)
      : signed_roots_(signed_roots), stored_(stored) {}

  absl::Status Add(const RecordChunk& chunk) {
    char leaf[kMerkleHashSize];
    for (const RecordChunk::Record& r : chunk.records) {
      // MerkleLeafHash, without an allocation.
      Sha256Into({absl::string_view("\0", 1), chunk.value(r).substr(log_format::kHashSize)}, leaf);
      absl::Status node_error;
      absl::Status added = tree_.AppendLeafHash(
          absl::string_view(leaf, sizeof(leaf)),
          [&](int level, uint64_t index, absl::string_view hash) {
            if (level < merkle_format::kLowestStoredLevel || !node_error.ok()) return;
            ++nodes_checked_;
            absl::StatusOr<std::string> node = stored_.Get(level, index);
            if (!node.ok() || *node != hash) {
              uint64_t first = (index << level) + 1, last = (index + 1) << level;
              node_error = absl::DataLossError(absl::StrCat(
                  "position ", first, ": the stored Merkle node over positions ", first, " to ",
                  last, node.ok() ? " does not match the records" : " is missing",
                  ": history from here on was rewritten, or the tree was"));
            }
          });
      if (!added.ok()) return added;
      if (!node_error.ok()) return node_error;
      auto signed_root = signed_roots_.find(r.position);
      if (signed_root != signed_roots_.end() && tree_.RootHash() != signed_root->second) {
        return absl::DataLossError(absl::StrCat(
            "position ", r.position, ": the first ", r.position, " events do not have the root "
            "of the checkpoint the ledger signed at that size: history was rewritten"));
      }
    }
    return absl::OkStatus();
  }

  std::string RootHash() const { return tree_.RootHash(); }
  uint64_t nodes_checked() const { return nodes_checked_; }

 private:
  const std::map<uint64_t, std::string>& signed_roots_;
  const MerkleNodeStore& stored_;
  MerkleAppender tree_;
  uint64_t nodes_checked_ = 0;
};

absl::Status CheckIndexes(IndexVerifier& indexes, const RecordChunk& chunk) {
  for (const RecordChunk::Record& r : chunk.records) {
    absl::Status s = indexes.AddRecord(r.position, chunk.value(r).substr(log_format::kHashSize));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status CheckChain(ChainVerifier& verifier, const RecordChunk& chunk) {
  for (const RecordChunk::Record& r : chunk.records) {
    absl::string_view value = chunk.value(r);
    absl::Status s = verifier.Add(r.position, value.substr(0, log_format::kHashSize),
                                  value.substr(log_format::kHashSize));
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// The key that checks the stored checkpoints' signatures (DirectoryVerifyOptions), made when the
// first stored checkpoint is met: a key file holds no name, and its key is named by the origin
// of that checkpoint.
class CheckpointKey {
 public:
  explicit CheckpointKey(const DirectoryVerifyOptions& options) : options_(options) {}

  // The verifier key for a directory whose first stored checkpoint is `first` (of `size` events).
  absl::StatusOr<std::string> For(uint64_t size, absl::string_view first) {
    if (!verifier_key_.empty()) return verifier_key_;
    if (!options_.verifier_key.empty()) {
      absl::StatusOr<NoteVerifier> parsed = NoteVerifier::Parse(options_.verifier_key);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("the verifier key is malformed: ", parsed.status().message()));
      }
      description_ = "the given verifier key";
      return verifier_key_ = options_.verifier_key;
    }
    if (options_.key_file.empty()) {
      return absl::FailedPreconditionError(
          "the ledger stored signed checkpoints and no key was given to check their signatures "
          "with (the ledger's verifier key, or its signing key file)");
    }
    const std::string origin(first.substr(0, first.find('\n')));
    if (!IsValidNoteKeyName(origin)) {
      return absl::DataLossError(absl::StrCat("position ", size, ": the checkpoint stored for ",
                                              size, " events is malformed: its first line is not "
                                              "an origin"));
    }
    absl::StatusOr<CheckpointSigner> signer = CheckpointSigner::Load(options_.key_file, origin);
    if (!signer.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("cannot use the key file ", options_.key_file,
                                                     ": ", signer.status().message()));
    }
    description_ = absl::StrCat("the key in ", options_.key_file);
    return verifier_key_ = signer->VerifierKey();
  }

  // How the key is named in failures: "the given verifier key" or "the key in FILE".
  const std::string& description() const { return description_; }
  // Empty until For() succeeded.
  const std::string& verifier_key() const { return verifier_key_; }

 private:
  const DirectoryVerifyOptions& options_;
  std::string verifier_key_;
  std::string description_;
};

// The stored checkpoints' roots by tree size, each one's note checked: validly signed by the
// key, for the tree size and root it is stored with.
absl::StatusOr<std::map<uint64_t, std::string>> StoredCheckpointRoots(
    rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family, CheckpointKey& key,
    const WitnessPolicy* witnesses, DirectoryVerifyResult* outcome) {
  std::map<uint64_t, std::string> roots;
  std::string newest_note;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), family));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t size = 0;
    absl::string_view value = View(it->value());
    if (!log_format::DecodeFixed64BE(View(it->key()), &size) ||
        value.size() < log_format::kHashSize) {
      return absl::DataLossError("a stored checkpoint is malformed");
    }
    std::string root(value.substr(0, log_format::kHashSize));
    absl::string_view note_text = value.substr(log_format::kHashSize);
    absl::StatusOr<std::string> verifier_key = key.For(size, note_text);
    if (!verifier_key.ok()) return verifier_key.status();
    absl::StatusOr<Checkpoint> note = ParseAndVerify(note_text, *verifier_key);
    if (!note.ok()) {
      return absl::DataLossError(absl::StrCat("position ", size, ": the checkpoint stored for ",
                                              size, " events is not signed by ", key.description(),
                                              ": ", note.status().message()));
    }
    if (note->tree_size != size || note->root_hash != root) {
      return absl::DataLossError(absl::StrCat(
          "position ", size, ": the checkpoint stored for ", size,
          " events signs another tree size or root than it is stored with"));
    }
    if (witnesses != nullptr) {
      absl::StatusOr<std::vector<WitnessedBy>> cosigned = witnesses->Check(note_text);
      if (absl::IsUnauthenticated(cosigned.status())) {
        return absl::DataLossError(absl::StrCat("position ", size, ": the checkpoint stored for ",
                                                size, " events: ", cosigned.status().message()));
      }
      newest_note = std::string(note_text);
      outcome->newest_checkpoint = size;
    }
    roots[size] = std::move(root);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the checkpoints");
  if (witnesses != nullptr) {
    if (newest_note.empty()) {
      return absl::DataLossError(absl::StrCat("no checkpoint is stored, so none is cosigned by ",
                                              witnesses->Describe()));
    }
    absl::StatusOr<std::vector<WitnessedBy>> cosigned = witnesses->Check(newest_note);
    if (!cosigned.ok()) {
      return absl::DataLossError(absl::StrCat(
          "position ", outcome->newest_checkpoint, ": the newest checkpoint (", 
          outcome->newest_checkpoint, " events) does not meet the witness policy, ",
          witnesses->Describe(), ": ", cosigned.status().message()));
    }
    outcome->witnessed_by = *std::move(cosigned);
  }
  return roots;
}

}  // namespace

absl::StatusOr<DirectoryVerifyResult> VerifyDataDirectory(const std::string& directory,
                                                          const DirectoryVerifyOptions& options) {
  // The raw column families, opened read-only: nothing the log class assumes is trusted.
  if (!std::filesystem::exists(std::filesystem::path(directory) / "CURRENT")) {
    return absl::NotFoundError(absl::StrCat("no ledger in ", directory));
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {log_format::kLogFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kStreamsFamily, rocksdb::ColumnFamilyOptions()},
      {merkle_format::kMerkleFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kCheckpointsFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kMetaFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kIdsFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kHeadsFamily, rocksdb::ColumnFamilyOptions()},
  };
  // The rules' state exists only in logs a guard has written.
  std::vector<std::string> present;
  rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), directory, &present).PermitUncheckedError();
  const bool guarded =
      std::find(present.begin(), present.end(), log_format::kGuardFamily) != present.end();
  if (guarded) families.push_back({log_format::kGuardFamily, rocksdb::ColumnFamilyOptions()});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), directory, families, &handles, &raw);
  if (!opened.ok()) return FromRocks(opened, "opening for verification");
  std::unique_ptr<rocksdb::DB> db(raw);
  struct HandleCloser {
    rocksdb::DB* db;
    std::vector<rocksdb::ColumnFamilyHandle*>& handles;
    ~HandleCloser() {
      for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
    }
  } closer{raw, handles};
  rocksdb::ColumnFamilyHandle* log_family = handles[1];
  rocksdb::ColumnFamilyHandle* streams_family = handles[2];
  rocksdb::ColumnFamilyHandle* merkle_family = handles[3];
  rocksdb::ColumnFamilyHandle* checkpoints_family = handles[4];
  rocksdb::ColumnFamilyHandle* meta_family = handles[5];
  IndexVerifier indexes({raw, log_family, streams_family, handles[6], handles[7]});

  // A layout this code does not know would be misread: refuse it.
  std::string version;
  rocksdb::Status read_version =
      raw->Get(rocksdb::ReadOptions(), meta_family, log_format::kFormatVersionKey, &version);
  uint32_t format = 0;
  if (read_version.ok() &&
      (!absl::SimpleAtoi(version, &format) || format < log_format::kOldestReadableFormatVersion ||
       format > log_format::kFormatVersion)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data directory has storage format ", version, "; this verifier reads formats ",
        log_format::kOldestReadableFormatVersion, " to ", log_format::kFormatVersion));
  }
  if (!read_version.ok() && !read_version.IsNotFound()) {
    return FromRocks(read_version, "reading the format version");
  }

  DirectoryVerifyResult outcome;
  CheckpointKey key(options);
  absl::StatusOr<std::map<uint64_t, std::string>> signed_roots =
      StoredCheckpointRoots(raw, checkpoints_family, key, options.witnesses, &outcome);
  if (!signed_roots.ok()) return signed_roots.status();
  outcome.checkpoints = signed_roots->size();
  outcome.verifier_key = key.verifier_key();

  // Pipeline: while the chain (one thread) and the tree (another) check chunk k, this thread
  // reads chunk k + 1. The first failure by position wins: a chain failure names the first bad
  // record, a tree failure can only come at or after it, a read error after both.
  ChainVerifier chain;
  RocksDbMerkleNodeStore stored_nodes(raw, merkle_family, merkle_format::kLowestStoredLevel,
                                      LogLeafHashes(raw, log_family));
  TreeCheck tree(*signed_roots, stored_nodes);
  rocksdb::ReadOptions read_options;
  read_options.readahead_size = 4 << 20;
  read_options.verify_checksums = true;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, log_family));
  it->SeekToFirst();
  uint64_t expected = 1;
  uint64_t reported = 0;
  RecordChunk current, next;
  ReadChunk(it.get(), &expected, &current);
  while (true) {
    std::future<absl::Status> tree_checked =
        std::async(std::launch::async, [&] { return tree.Add(current); });
    std::future<absl::Status> chain_checked = std::async(std::launch::async, [&] {
      absl::Status s = CheckChain(chain, current);
      return s.ok() ? CheckIndexes(indexes, current) : s;
    });
    bool more = current.read_error.ok() && it->Valid();
    if (more) ReadChunk(it.get(), &expected, &next);
    absl::Status chain_status = chain_checked.get();
    absl::Status tree_status = tree_checked.get();
    if (!chain_status.ok()) return chain_status;
    if (!tree_status.ok()) return tree_status;
    if (!current.read_error.ok()) return current.read_error;
    if (options.progress && chain.verified() / 1'000'000 > reported) {
      reported = chain.verified() / 1'000'000;
      options.progress(chain.verified());
    }
    if (!more) break;
    std::swap(current, next);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the log");
  outcome.events = chain.verified();
  // A checkpoint beyond the end: the log lost events the ledger had signed.
  if (!signed_roots->empty() && signed_roots->rbegin()->first > outcome.events) {
    return absl::DataLossError(absl::StrCat(
        "position ", outcome.events + 1, ": missing (the log ends at ", outcome.events,
        " but the ledger signed a checkpoint of ", signed_roots->rbegin()->first, " events)"));
  }
  // No stored node may describe leaves beyond the records.
  std::unique_ptr<rocksdb::Iterator> nodes(db->NewIterator(read_options, merkle_family));
  for (nodes->SeekToFirst(); nodes->Valid(); nodes->Next()) {
    int level = 0;
    uint64_t index = 0;
    if (!merkle_format::DecodeNodeKey(View(nodes->key()), &level, &index)) {
      return absl::DataLossError("a stored Merkle node has a malformed key");
    }
    if (level >= merkle_format::kLowestStoredLevel && level < 64 &&
        (index + 1) > (outcome.events >> level)) {
      return absl::DataLossError(absl::StrCat(
          "position ", outcome.events + 1, ": a stored Merkle node covers positions up to ",
          (index + 1) << level, " but the log ends at ", outcome.events));
    }
  }
  if (!nodes->status().ok()) return FromRocks(nodes->status(), "reading the Merkle tree");
  // The indexes, against the records just read.
  if (absl::Status checked = indexes.Finish(); !checked.ok()) return checked;
  if (options.guard != nullptr && guarded) {
    absl::Status checked = VerifyGuardState({raw, log_family, handles[6], handles[8], meta_family},
                                            *options.guard, outcome.events,
                                            options.scratch_directory);
    if (!checked.ok()) return checked;
  }

  // The tree the ledger stored must be the tree of the records.
  if (outcome.events > 0) {
    absl::StatusOr<std::string> stored =
        RootHash(RocksDbMerkleNodeStore(raw, merkle_family, merkle_format::kLowestStoredLevel,
                                        LogLeafHashes(raw, log_family)),
                 outcome.events);
    if (!stored.ok() || *stored != tree.RootHash()) {
      return absl::DataLossError(absl::StrCat(
          "position ", outcome.events, ": the stored Merkle tree does not match the records",
          stored.ok() ? "" : absl::StrCat(" (", stored.status().message(), ")")));
    }
  }
  // A dropped tail leaves a valid chain; the stream index still names the lost positions.
  std::unique_ptr<rocksdb::Iterator> streams(db->NewIterator(read_options, streams_family));
  uint64_t highest = 0;
  for (streams->SeekToFirst(); streams->Valid(); streams->Next()) {
    uint64_t position = 0;
    if (log_format::DecodeFixed64BE(View(streams->value()), &position) && position > highest) {
      highest = position;
    }
  }
  if (!streams->status().ok()) return FromRocks(streams->status(), "reading the stream index");
  if (highest > outcome.events) {
    return absl::DataLossError(absl::StrCat("position ", outcome.events + 1,
                                            ": missing (the log ends at ", outcome.events,
                                            " but the stream index refers to position ", highest,
                                            ")"));
  }
  return outcome;
}

}  // namespace ledger
