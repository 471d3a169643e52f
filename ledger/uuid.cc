#include "ledger/uuid.h"

#include <atomic>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"

namespace ledger {
namespace {

// The 128 bits as 36 lowercase characters in the 8-4-4-4-12 form.
std::string FormatBits(uint64_t high, uint64_t low) {
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

uint64_t WithVariant(uint64_t low) { return (low & ~(0xc0ULL << 56)) | (0x80ULL << 56); }

// The last (milliseconds << 12 | counter) handed out by this process.
std::atomic<uint64_t> last_tick{0};

}  // namespace

std::string NewUuid() {
  // absl::BitGen is seeded from the OS and uses Randen (AES-based); one per thread, no locking.
  thread_local absl::BitGen generator;
  const uint64_t now = static_cast<uint64_t>(absl::ToUnixMillis(absl::Now())) << 12;
  uint64_t previous = last_tick.load(std::memory_order_relaxed);
  uint64_t tick;
  do {
    // The clock's millisecond with counter 0, unless this process already handed that out (or
    // the clock went back): then one more than the last. A counter that overflows carries into
    // the timestamp, which then runs slightly ahead of the clock, as RFC 9562 allows.
    tick = now > previous ? now : previous + 1;
  } while (!last_tick.compare_exchange_weak(previous, tick, std::memory_order_relaxed));
  return FormatUuidV7(tick >> 12, static_cast<uint32_t>(tick & 0xfff),
                      absl::Uniform<uint64_t>(generator));
}

std::string FormatUuidV7(uint64_t unix_ms, uint32_t counter, uint64_t random) {
  const uint64_t high = ((unix_ms & 0xffff'ffff'ffffULL) << 16) | 0x7000ULL | (counter & 0xfff);
  return FormatBits(high, WithVariant(random));
}

std::string FormatUuidV4(uint64_t high, uint64_t low) {
  high = (high & ~0xf000ULL) | 0x4000ULL;  // version 4
  return FormatBits(high, WithVariant(low));
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
