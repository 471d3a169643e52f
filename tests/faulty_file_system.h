// A file system whose write-ahead log files fail to append (disk full) or to sync (I/O error)
// while a switch says so, as a real disk does; everything else is the operating system's.
#ifndef ENGAGEMENT_TESTS_FAULTY_FILE_SYSTEM_H_
#define ENGAGEMENT_TESTS_FAULTY_FILE_SYSTEM_H_

#include <atomic>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace testing_support {

// Which step of writing the write-ahead log fails while the fault is on.
enum class Fault { kNone, kAppend, kSync };

// A write-ahead log file whose appends or syncs fail, as on a full or failing disk, while the
// shared fault says so.
class FaultyWalFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultyWalFile(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<Fault>* fault)
      : FSWritableFileOwnerWrapper(std::move(file)), fault_(fault) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (*fault_ == Fault::kAppend) return rocksdb::IOStatus::NoSpace("injected: the disk is full");
    return FSWritableFileOwnerWrapper::Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (*fault_ == Fault::kAppend) return rocksdb::IOStatus::NoSpace("injected: the disk is full");
    return FSWritableFileOwnerWrapper::Append(data, options, info, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    if (*fault_ == Fault::kSync) return rocksdb::IOStatus::IOError("injected: the sync failed");
    return FSWritableFileOwnerWrapper::Sync(options, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    if (*fault_ == Fault::kSync) return rocksdb::IOStatus::IOError("injected: the sync failed");
    return FSWritableFileOwnerWrapper::Fsync(options, dbg);
  }

 private:
  const std::atomic<Fault>* fault_;
};

// The operating system's file system, except that write-ahead logs (*.log) are FaultyWalFiles.
class FaultyFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  FaultyFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultyFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = FileSystemWrapper::NewWritableFile(name, options, file, dbg);
    if (s.ok() && absl::EndsWith(name, ".log")) {
      *file = std::make_unique<FaultyWalFile>(std::move(*file), &fault);
    }
    return s;
  }

  std::atomic<Fault> fault{Fault::kNone};
};

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_FAULTY_FILE_SYSTEM_H_
