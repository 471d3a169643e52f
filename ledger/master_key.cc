#include "ledger/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/hash_chain.h"
#include "ledger/sealed_box.h"

namespace ledger {

MasterKey::MasterKey(std::string bytes) : bytes_(std::move(bytes)) {
  id_ = ToHex(Sha256Of({"master-key-id", bytes_}).substr(0, 8));
}

MasterKey::~MasterKey() { Wipe(bytes_); }

absl::StatusOr<MasterKey> MasterKey::FromHex(absl::string_view hex) {
  hex = absl::StripAsciiWhitespace(hex);
  bool ok = hex.size() == 2 * kSealKeySize;
  for (char c : hex) ok = ok && absl::ascii_isxdigit(static_cast<unsigned char>(c));
  if (!ok) {
    return absl::InvalidArgumentError(
        "master key: must be 64 hexadecimal digits (32 random bytes, e.g. from `openssl rand -hex "
        "32`)");
  }
  return MasterKey(absl::HexStringToBytes(hex));
}

absl::StatusOr<MasterKey> MasterKey::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("master key file ", path, " cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  std::string hex = text.str();
  absl::StatusOr<MasterKey> key = FromHex(hex);
  Wipe(hex);
  if (!key.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", key.status().message()));
  return key;
}

absl::Status MasterKey::GenerateFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = RandomBytes(kSealKeySize);
  if (!bytes.ok()) return bytes.status();
  std::string hex = absl::StrCat(ToHex(*bytes), "\n");
  Wipe(*bytes);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat("cannot create ", path));
  bool ok = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  Wipe(hex);
  if (!ok) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

}  // namespace ledger
