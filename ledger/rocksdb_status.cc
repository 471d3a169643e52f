#include "ledger/rocksdb_status.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ledger {

absl::Status FromRocks(const rocksdb::Status& status, absl::string_view what) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(what, ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsIOError() && status.ToString().find("lock") != std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat(message, " (is another ledgerd using this data directory?)"));
  }
  if (status.IsNoSpace()) return absl::ResourceExhaustedError(message);
  return absl::InternalError(message);
}

namespace {

// RocksDB's status says "checksum mismatch" without the file for a damaged write-ahead log; its
// info LOG names it ("<dir>/000004.log: dropping 16398 bytes; Corruption: ..."). The last few such
// lines of the directory's LOG, shortened to file name and what was wrong.
std::string DamagedFilesFromInfoLog(absl::string_view directory) {
  std::ifstream info(absl::StrCat(directory, "/LOG"));
  std::vector<std::string> found;
  std::string line;
  while (std::getline(info, line)) {
    size_t dropping = line.find(": dropping ");
    if (dropping == std::string::npos || line.find("Corruption") == std::string::npos) continue;
    size_t name = line.rfind('/', dropping);
    found.push_back(line.substr(name == std::string::npos ? 0 : name + 1));
    if (found.size() > 3) found.erase(found.begin());
  }
  return absl::StrJoin(found, "; ");
}

}  // namespace

absl::Status DamagedStorage(absl::string_view directory, const rocksdb::Status& status) {
  std::string detail = status.ToString();
  if (detail.find(".log") == std::string::npos && detail.find(".sst") == std::string::npos) {
    std::string files = DamagedFilesFromInfoLog(directory);
    if (!files.empty()) absl::StrAppend(&detail, " (", files, ")");
  }
  return absl::DataLossError(absl::StrCat(
      "the database in ", directory, " is damaged: ", detail,
      ". Nothing was changed, and the log is not opened, so that no shortened or altered history "
      "is served. Keep this directory for investigation, restore the latest backup into a new "
      "one (ledgerctl restore; docs/operations.md), and append again what was acknowledged after "
      "that backup"));
}

}  // namespace ledger
