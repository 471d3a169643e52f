#include "ledger/uuid.h"

#include "absl/random/random.h"
#include "absl/strings/ascii.h"

namespace ledger {

std::string NewUuid() {
  // absl::BitGen is seeded from the OS and uses Randen (AES-based); one per thread, no locking.
  thread_local absl::BitGen generator;
  return FormatUuidV4(absl::Uniform<uint64_t>(generator), absl::Uniform<uint64_t>(generator));
}

std::string FormatUuidV4(uint64_t high, uint64_t low) {
  high = (high & ~0xf000ULL) | 0x4000ULL;                        // version 4
  low = (low & ~(0xc0ULL << 56)) | (0x80ULL << 56);               // RFC 4122 variant
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(36, '-');
  int at = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) ++at;  // leave the dash
    uint64_t word = i < 16 ? high : low;
    int shift = 60 - 4 * (i % 16);
    out[at++] = kDigits[(word >> shift) & 0xf];
  }
  return out;
}

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !absl::ascii_isxdigit(text[i])) return false;
  }
  return true;
}

}  // namespace ledger
