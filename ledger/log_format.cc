#include "ledger/log_format.h"

namespace ledger {
namespace log_format {

std::string EncodeFixed64BE(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

bool DecodeFixed64BE(absl::string_view bytes, uint64_t* value) {
  if (bytes.size() != 8) return false;
  uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  *value = v;
  return true;
}

std::string StreamKey(absl::string_view stream, uint64_t revision) {
  std::string key(stream);
  key.push_back('\0');
  key += EncodeFixed64BE(revision);
  return key;
}

std::string StreamKeyLimit(absl::string_view stream) {
  std::string key(stream);
  key.push_back('\1');
  return key;
}

}  // namespace log_format
}  // namespace ledger
