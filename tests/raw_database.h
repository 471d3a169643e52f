// RawDatabase: every column family of a ledger's RocksDB directory opened directly, the way a tool
// or an attacker with the disk would, for tests that inspect or edit stored bytes. Closed on
// destruction; the ledger must not have the directory open (unless read_only).
#ifndef ENGAGEMENT_TESTS_RAW_DATABASE_H_
#define ENGAGEMENT_TESTS_RAW_DATABASE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace testing_support {

class RawDatabase {
 public:
  explicit RawDatabase(const std::string& dir, bool read_only = false) {
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names_).ok()) << dir;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& name : names_) families.push_back({name, rocksdb::ColumnFamilyOptions()});
    rocksdb::DB* db = nullptr;
    rocksdb::Status s =
        read_only
            ? rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, families, &handles_, &db)
            : rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~RawDatabase() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
  }
  RawDatabase(const RawDatabase&) = delete;
  RawDatabase& operator=(const RawDatabase&) = delete;

  rocksdb::DB* db() { return db_.get(); }

  // Reads the value under `key` in `family_name`, lets `edit` change it, and writes it back (the
  // test fails if the value is not there).
  void EditValue(const std::string& family_name, const std::string& key,
                 const std::function<void(std::string& value)>& edit) {
    rocksdb::ColumnFamilyHandle* handle = family(family_name);
    ASSERT_NE(handle, nullptr) << "no family " << family_name;
    std::string value;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handle, key, &value);
    ASSERT_TRUE(s.ok()) << s.ToString();
    edit(value);
    s = db_->Put(rocksdb::WriteOptions(), handle, key, value);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // The family called `name`, or nullptr.
  rocksdb::ColumnFamilyHandle* family(const std::string& name) {
    for (size_t i = 0; i < names_.size() && i < handles_.size(); ++i) {
      if (names_[i] == name) return handles_[i];
    }
    return nullptr;
  }

 private:
  std::vector<std::string> names_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_RAW_DATABASE_H_
