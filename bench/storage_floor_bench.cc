// What RocksDB alone can do on this machine with the ledger's key layout: the ceiling for any
// append path built on it. No gRPC, no validation, no rules, no hashing, no projections: one
// thread writes synced WriteBatches of --group events, each event being
//
//   log      position (8-byte big-endian) -> a --value_bytes record      (always)
//   ids      event id (36-char UUID text) -> position                   (layouts with "ids")
//   streams  stream name 0x00 revision    -> position                   (layouts with "streams")
//   guard    "e" + a content id           -> a few bytes                (layouts with "guard")
//
// with the same memtable insert hints as the ledger's families. Ids are time-ordered (UUIDv7,
// as the ledger makes them) or random (version 4, as a client may send them).
//
//   build/bench/storage_floor_bench [--events=2000000] [--group=1600] [--value_bytes=450]
//       [--layouts=log,log+ids,log+ids+streams,log+ids+streams+guard,log+random_ids]
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "ledger/log_format.h"
#include "ledger/uuid.h"
#include "rocksdb/db.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/write_batch.h"

ABSL_FLAG(uint64_t, events, 2'000'000, "events per layout");
ABSL_FLAG(int, group, 1600, "events per synced write (16 clients x 100 make groups of ~1600)");
ABSL_FLAG(int, batch, 100, "events per stream (one append's batch)");
ABSL_FLAG(int, value_bytes, 450, "bytes per log record (an event's hash and canonical record)");
ABSL_FLAG(std::string, layouts, "log,log+ids,log+random_ids,log+ids+streams,log+ids+streams+guard",
          "which families each event writes");
ABSL_FLAG(std::string, dir, "", "where to write (default: a fresh temp dir, removed after)");

namespace {

rocksdb::ColumnFamilyOptions Family(size_t hint_prefix) {
  rocksdb::ColumnFamilyOptions options;
  options.compression = rocksdb::kLZ4Compression;
  options.memtable_insert_with_hint_prefix_extractor.reset(
      rocksdb::NewCappedPrefixTransform(hint_prefix));
  return options;
}

struct Outcome {
  double events_per_second;
  double cpu_seconds;
};

double CpuSeconds() { return static_cast<double>(clock()) / CLOCKS_PER_SEC; }

Outcome Run(const std::string& dir, absl::string_view layout) {
  const bool ids = absl::StrContains(layout, "ids");
  const bool random_ids = absl::StrContains(layout, "random_ids");
  const bool streams = absl::StrContains(layout, "streams");
  const bool guard = absl::StrContains(layout, "guard");
  std::filesystem::remove_all(dir);
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  db_options.allow_concurrent_memtable_write = false;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()},
      {"log", Family(4)}, {"ids", Family(2)}, {"streams", Family(14)}, {"guard", Family(3)}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, families, &handles, &raw);
  if (!s.ok()) {
    std::fprintf(stderr, "storage_floor_bench: %s\n", s.ToString().c_str());
    std::exit(1);
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  absl::BitGen random;
  const std::string value(absl::GetFlag(FLAGS_value_bytes), 'v');
  rocksdb::WriteOptions synced;
  synced.sync = true;
  const uint64_t total = absl::GetFlag(FLAGS_events);
  const int group = absl::GetFlag(FLAGS_group);
  const int per_stream = absl::GetFlag(FLAGS_batch);
  const double cpu_start = CpuSeconds();
  const absl::Time start = absl::Now();
  std::string stream;
  for (uint64_t position = 1; position <= total;) {
    rocksdb::WriteBatch batch;
    for (int i = 0; i < group && position <= total; ++i, ++position) {
      const std::string key = ledger::log_format::PositionKey(position);
      batch.Put(handles[1], key, value);
      if (ids) {
        std::string id = random_ids ? ledger::FormatUuidV4(absl::Uniform<uint64_t>(random),
                                                           absl::Uniform<uint64_t>(random))
                                    : ledger::NewUuid();
        batch.Put(handles[2], id, key);
      }
      const uint64_t revision = (position - 1) % per_stream;
      if (revision == 0) stream = "engagement-" + ledger::NewUuid();
      if (streams) batch.Put(handles[3], ledger::log_format::StreamKey(stream, revision), key);
      if (guard) batch.Put(handles[4], "e" + ledger::NewUuid(), "kind");
    }
    s = db->Write(synced, &batch);
    if (!s.ok()) {
      std::fprintf(stderr, "storage_floor_bench: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  }
  const double elapsed = absl::ToDoubleSeconds(absl::Now() - start);
  Outcome outcome{total / elapsed, CpuSeconds() - cpu_start};
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  db->Close();
  return outcome;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  std::string dir = absl::GetFlag(FLAGS_dir);
  if (dir.empty()) dir = "/tmp/storage-floor-" + ledger::NewUuid();
  std::printf("RocksDB alone: synced writes of %d events, %d-byte records, one writer thread\n",
              absl::GetFlag(FLAGS_group), absl::GetFlag(FLAGS_value_bytes));
  std::printf("%-28s %14s %16s\n", "layout", "events/s", "CPU us/event");
  for (absl::string_view layout : absl::StrSplit(absl::GetFlag(FLAGS_layouts), ',')) {
    Outcome o = Run(dir, layout);
    std::printf("%-28s %14.0f %16.2f\n", std::string(layout).c_str(), o.events_per_second,
                o.cpu_seconds * 1e6 / absl::GetFlag(FLAGS_events));
    std::fflush(stdout);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
