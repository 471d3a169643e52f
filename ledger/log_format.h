// The on-disk format of the event log, in one place.
//
// The log lives in one RocksDB database with eight column families:
//
//   "log"      key: position as 8-byte big-endian (so byte order is log order)
//              value: hash (32 bytes) || canonical record (see canonical_record.h)
//   "ids"      key: event id (the UUID's 36-character lowercase text)
//              value: position as 8-byte big-endian
//   "streams"  key: stream name || 0x00 || revision as 8-byte big-endian
//              value: position as 8-byte big-endian
//   "heads"    key: stream name
//              value: the stream's last revision as 8-byte big-endian (rewritten by each append;
//              a point lookup, so that checking an expected revision needs no iterator)
//   "merkle"   the Merkle tree's complete perfect subtrees (merkle_format.h)
//   "checkpoints" key: tree size as 8-byte big-endian
//              value: root hash (32 bytes) || the signed checkpoint note (checkpoint.h)
//   "guard"    the append guard's state (append_guard.h): keys and values are the guard's own
//   "meta"     key: a name below; value: as described there
//
// A stream name never contains 0x00 (validated on append), so a stream's keys are contiguous and
// sorted by revision. Every append writes all of its keys in one WriteBatch, synced to the WAL
// before it is acknowledged, so the families never disagree after a crash.
//
// hash(position) = SHA-256( hash(position - 1) || canonical record(position) ), with
// hash(0) = 32 zero bytes. The stored hash is a convenience for readers; verification recomputes
// it from the stored record bytes and never trusts it.
#ifndef ENGAGEMENT_LEDGER_LOG_FORMAT_H_
#define ENGAGEMENT_LEDGER_LOG_FORMAT_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ledger {
namespace log_format {

inline constexpr char kLogFamily[] = "log";
inline constexpr char kIdsFamily[] = "ids";
inline constexpr char kStreamsFamily[] = "streams";
inline constexpr char kHeadsFamily[] = "heads";
inline constexpr char kMetaFamily[] = "meta";
inline constexpr char kCheckpointsFamily[] = "checkpoints";
inline constexpr char kGuardFamily[] = "guard";

// meta: the format version as decimal text. Opening a database of another version fails.
// Version 2 stores only the Merkle nodes of level 4 and up (merkle_format.h). A version 1
// database (which also holds lower nodes) is read as it is and marked 2 when opened for writing;
// tools that read only version 1 then refuse it instead of misreading the tree.
inline constexpr char kFormatVersionKey[] = "format_version";
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kOldestReadableFormatVersion = 1;
// meta: the number of streams as 8-byte big-endian, rewritten by every append that starts one.
inline constexpr char kStreamCountKey[] = "stream_count";
// meta: the number of leaves in the "merkle" family's tree, 8-byte big-endian; equals the head
// position after every append (older logs are brought up to it on open).
inline constexpr char kTreeSizeKey[] = "tree_size";

// meta: the last position whose event the "guard" family reflects, 8-byte big-endian; written in
// the same batch as the guard's state (every group commit made with a guard installed).
inline constexpr char kGuardPositionKey[] = "guard_position";
// meta: the guard's StateVersion() that wrote the "guard" family.
inline constexpr char kGuardVersionKey[] = "guard_version";
// meta: in a replicated ledger, the sequence number in the replicated log (the JetStream stream)
// of the last message this log reflects, 8-byte big-endian; written in the same batch as the
// records it brought (group_replicator.h). Absent on a single node.
inline constexpr char kReplicationCursorKey[] = "replication_cursor";

inline constexpr size_t kHashSize = 32;

// 8-byte big-endian encoding of positions and revisions.
std::string EncodeFixed64BE(uint64_t value);
// Returns false when `bytes` is not exactly 8 bytes.
bool DecodeFixed64BE(absl::string_view bytes, uint64_t* value);

inline std::string PositionKey(uint64_t position) { return EncodeFixed64BE(position); }
std::string StreamKey(absl::string_view stream, uint64_t revision);
// The first key after every key of `stream`.
std::string StreamKeyLimit(absl::string_view stream);

}  // namespace log_format
}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_LOG_FORMAT_H_
