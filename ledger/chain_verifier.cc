#include "ledger/chain_verifier.h"

#include <filesystem>
#include <future>
#include <map>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "ledger/canonical_record.h"
#include "ledger/hash_chain.h"
#include "ledger/log_format.h"
#include "ledger/merkle_format.h"
#include "ledger/merkle_tree.h"
#include "ledger/rocksdb_merkle_store.h"
#include "rocksdb/db.h"
#include "ledger/rocksdb_status.h"

namespace ledger {

ChainVerifier::ChainVerifier() : last_hash_(GenesisHash()) {}

ChainVerifier::ChainVerifier(uint64_t position, std::string hash)
    : verified_(position), last_hash_(std::move(hash)) {}

absl::Status ChainVerifier::Fail(uint64_t position, absl::string_view why) {
  status_ = absl::DataLossError(absl::StrCat("position ", position, ": ", why));
  return status_;
}

absl::Status ChainVerifier::Add(uint64_t position, absl::string_view stored_hash,
                                absl::string_view canonical_record) {
  if (!status_.ok()) return status_;
  uint64_t expected = verified_ + 1;
  if (position != expected) {
    return Fail(expected, position > expected
                              ? absl::StrCat("missing (the next record is at position ", position, ")")
                              : absl::StrCat("out of order (found position ", position, ")"));
  }
  uint64_t recorded_position = 0;
  if (!ReadChainFields(canonical_record, &recorded_position, &previous_hash_).ok()) {
    return Fail(position, "the stored record does not parse");
  }
  if (recorded_position != position) {
    return Fail(position, absl::StrCat("the record says it is position ", recorded_position));
  }
  if (previous_hash_ != last_hash_) {
    return Fail(position, "previous_hash does not match the hash of the event before it");
  }
  std::string hash = ChainHash(last_hash_, canonical_record);
  if (hash != stored_hash) {
    return Fail(position, "the record's bytes do not hash to the stored hash (altered payload)");
  }
  last_hash_ = std::move(hash);
  verified_ = position;
  return absl::OkStatus();
}

absl::Status ChainVerifier::Finish(uint64_t head_position, absl::string_view head_hash) {
  if (!status_.ok()) return status_;
  if (verified_ != head_position) {
    return Fail(verified_ + 1, absl::StrCat("the log ends at position ", verified_,
                                            " but its head is ", head_position));
  }
  if (head_hash != last_hash_) return Fail(head_position, "the head hash does not match the chain");
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> VerifyDataDirectory(const std::string& directory,
                                             const std::function<void(uint64_t)>& progress,
                                             uint64_t* checkpoints_checked) {
  // The raw column families, opened read-only: nothing the log class assumes is trusted.
  if (!std::filesystem::exists(std::filesystem::path(directory) / "CURRENT")) {
    return absl::NotFoundError(absl::StrCat("no ledger in ", directory));
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {log_format::kLogFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kIdsFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kStreamsFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kHeadsFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kMetaFamily, rocksdb::ColumnFamilyOptions()},
      {merkle_format::kMerkleFamily, rocksdb::ColumnFamilyOptions()},
      {log_format::kCheckpointsFamily, rocksdb::ColumnFamilyOptions()},
  };
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), directory, families, &handles, &raw);
  if (!opened.ok()) return FromRocks(opened, "opening for verification");
  std::unique_ptr<rocksdb::DB> db(raw);
  auto close_handles = [&] {
    for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle);
    handles.clear();
  };

  rocksdb::ReadOptions read_options;
  read_options.readahead_size = 4 << 20;
  read_options.verify_checksums = true;
  // The roots the ledger signed, by tree size: the recomputed tree must pass through each.
  std::map<uint64_t, std::string> signed_roots;
  {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, handles[7]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint64_t size = 0;
      if (log_format::DecodeFixed64BE(View(it->key()), &size) &&
          it->value().size() >= log_format::kHashSize) {
        signed_roots[size] = std::string(it->value().data(), log_format::kHashSize);
      }
    }
  }
  ChainVerifier verifier;
  MerkleAppender tree;
  std::vector<std::string> leaves;
  auto grow = [&]() -> absl::Status {
    absl::StatusOr<std::vector<MerkleNode>> nodes = tree.Append(leaves);
    leaves.clear();
    return nodes.status();
  };
  auto check_signed = [&](uint64_t size) -> absl::Status {
    auto it = signed_roots.find(size);
    if (it == signed_roots.end() || size == 0) return absl::OkStatus();
    if (tree.RootHash() != it->second) {
      return absl::DataLossError(absl::StrCat(
          "position ", size, ": the first ", size, " events do not have the root of the "
          "checkpoint the ledger signed at that size: history was rewritten"));
    }
    return absl::OkStatus();
  };
  absl::Status result;
  {
    // Records are read in chunks; the chain (one core) and the tree (the other) are checked side
    // by side, each in log order. The first failure by position wins.
    struct Record {
      uint64_t position;
      std::string value;  // hash || canonical record
    };
    std::vector<Record> chunk;
    auto check_tree = [&](const std::vector<Record>& records) -> absl::Status {
      for (const Record& r : records) {
        leaves.push_back(MerkleLeafHash(absl::string_view(r.value).substr(log_format::kHashSize)));
        bool signed_here = signed_roots.contains(r.position);
        if (signed_here || leaves.size() >= 4096) {
          absl::Status grown = grow();
          if (!grown.ok()) return grown;
        }
        if (signed_here) {
          absl::Status checked = check_signed(r.position);
          if (!checked.ok()) return checked;
        }
      }
      return absl::OkStatus();
    };
    auto check_chain = [&](const std::vector<Record>& records) -> absl::Status {
      for (const Record& r : records) {
        absl::string_view value = r.value;
        absl::Status s = verifier.Add(r.position, value.substr(0, log_format::kHashSize),
                                      value.substr(log_format::kHashSize));
        if (!s.ok()) return s;
      }
      return absl::OkStatus();
    };
    auto check_chunk = [&]() -> absl::Status {
      if (chunk.empty()) return absl::OkStatus();
      std::future<absl::Status> tree_checked =
          std::async(std::launch::async, [&] { return check_tree(chunk); });
      absl::Status chain_checked = check_chain(chunk);
      absl::Status tree_status = tree_checked.get();
      chunk.clear();
      // A chain failure names the first bad record; a tree failure can only come later.
      return chain_checked.ok() ? tree_status : chain_checked;
    };
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, handles[1]));
    uint64_t expected = 1;
    for (it->SeekToFirst(); it->Valid() && result.ok(); it->Next()) {
      uint64_t position = 0;
      absl::string_view value = View(it->value());
      if (!log_format::DecodeFixed64BE(View(it->key()), &position)) {
        result = check_chunk();
        if (result.ok()) {
          result = absl::DataLossError(
              absl::StrCat("position ", expected, ": malformed key in the log"));
        }
        break;
      }
      if (value.size() < log_format::kHashSize) {
        result = check_chunk();
        if (result.ok()) {
          result = absl::DataLossError(absl::StrCat("position ", position, ": record is truncated"));
        }
        break;
      }
      chunk.push_back({position, std::string(value)});
      expected = position + 1;
      if (chunk.size() >= 16384) result = check_chunk();
      if (progress && position % 1'000'000 == 0) progress(position);
    }
    if (result.ok()) result = check_chunk();
    if (result.ok() && !it->status().ok()) result = FromRocks(it->status(), "reading the log");
  }
  if (result.ok()) result = grow();
  // The tree the ledger stored must be the tree of the records.
  if (result.ok() && verifier.verified() > 0) {
    absl::StatusOr<std::string> stored = RootHash(RocksDbMerkleNodeStore(raw, handles[6]),
                                                  verifier.verified());
    if (!stored.ok() || *stored != tree.RootHash()) {
      result = absl::DataLossError(absl::StrCat(
          "position ", verifier.verified(), ": the stored Merkle tree does not match the records",
          stored.ok() ? "" : absl::StrCat(" (", stored.status().message(), ")")));
    }
  }
  // A checkpoint beyond the end: the log lost events the ledger had signed.
  if (result.ok() && !signed_roots.empty() && signed_roots.rbegin()->first > verifier.verified()) {
    result = absl::DataLossError(absl::StrCat(
        "position ", verifier.verified() + 1, ": missing (the log ends at ", verifier.verified(),
        " but the ledger signed a checkpoint of ", signed_roots.rbegin()->first, " events)"));
  }
  if (checkpoints_checked != nullptr) *checkpoints_checked = signed_roots.size();
  // A dropped tail leaves a valid chain; the stream index still names the lost positions.
  if (result.ok()) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read_options, handles[3]));
    uint64_t highest = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      uint64_t position = 0;
      if (log_format::DecodeFixed64BE(View(it->value()), &position) && position > highest) {
        highest = position;
      }
    }
    if (highest > verifier.verified()) {
      result = absl::DataLossError(
          absl::StrCat("position ", verifier.verified() + 1,
                       ": missing (the log ends at ", verifier.verified(),
                       " but the stream index refers to position ", highest, ")"));
    }
  }
  close_handles();
  if (!result.ok()) return result;
  return verifier.verified();
}

}  // namespace ledger
