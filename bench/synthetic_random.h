// SyntheticRandom: the seeded randomness of the synthetic log (synthetic_log.h): the same seed
// gives the same log, so benchmark runs can be compared.
#ifndef ENGAGEMENT_BENCH_SYNTHETIC_RANDOM_H_
#define ENGAGEMENT_BENCH_SYNTHETIC_RANDOM_H_

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/str_format.h"

namespace bench {

class SyntheticRandom {
 public:
  explicit SyntheticRandom(uint64_t seed) : rng_(seed) {}

  uint64_t Next() { return rng_(); }
  // Uniform in [0, n).
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  // Uniform in [lo, hi].
  int Between(int lo, int hi) { return lo + Below(hi - lo + 1); }
  bool Chance(int percent) { return Below(100) < percent; }
  // An enum value with a number in [lo, hi].
  template <typename E>
  E Enum(int lo, int hi) {
    return static_cast<E>(Between(lo, hi));
  }
  // A version-4 UUID, lowercase.
  std::string Uuid() {
    uint64_t high = (Next() & ~0xf000ULL) | 0x4000ULL;
    uint64_t low = (Next() & ~(0xc0ULL << 56)) | (0x80ULL << 56);
    std::string out = absl::StrFormat("%016x%016x", high, low);
    for (int at : {8, 13, 18, 23}) out.insert(out.begin() + at, '-');
    return out;
  }

 private:
  std::mt19937_64 rng_;
};

}  // namespace bench

#endif  // ENGAGEMENT_BENCH_SYNTHETIC_RANDOM_H_
