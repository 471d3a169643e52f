// The ids the ledger generates: valid version 7 UUIDs that sort in the order they were made,
// even when many threads make them in the same millisecond.
#include "ledger/uuid.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"

namespace ledger {
namespace {

uint64_t MillisOf(const std::string& id) {
  uint64_t ms = 0;
  EXPECT_TRUE(absl::SimpleHexAtoi(id.substr(0, 8) + id.substr(9, 4), &ms)) << id;
  return ms;
}

TEST(UuidTest, NewIdsAreVersion7WithTheCurrentTimeAndTheRfcVariant) {
  const int64_t before = absl::ToUnixMillis(absl::Now());
  std::string id = NewUuid();
  const int64_t after = absl::ToUnixMillis(absl::Now());
  ASSERT_TRUE(IsUuid(id)) << id;
  EXPECT_EQ(id[14], '7') << id;
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;
  EXPECT_EQ(id, absl::AsciiStrToLower(id));
  // The counter may push the timestamp a little ahead of the clock, never behind it.
  EXPECT_GE(static_cast<int64_t>(MillisOf(id)), before);
  EXPECT_LE(static_cast<int64_t>(MillisOf(id)), after + 50);
}

TEST(UuidTest, IdsSortInTheOrderTheyWereMadeAcrossThreadsAndAreNeverRepeated) {
  constexpr int kThreads = 4;
  constexpr int kEach = 20000;  // far more than 4096 per millisecond: the counter overflows
  std::vector<std::vector<std::string>> made(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&made, t] {
      for (int i = 0; i < kEach; ++i) made[t].push_back(NewUuid());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& ids : made) {
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end());
    all.insert(ids.begin(), ids.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
}

TEST(UuidTest, FormatsKnownBits) {
  // RFC 9562 appendix A.6's example: 2022-02-22 19:22:22 UTC = 0x017F22E279B0 ms.
  EXPECT_EQ(FormatUuidV7(0x017F22E279B0ULL, 0xCC3, 0x18C4DC0C0C07398FULL),
            "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
  EXPECT_EQ(FormatUuidV4(0, 0), "00000000-0000-4000-8000-000000000000");
  EXPECT_FALSE(IsUuid("017f22e2-79b0-7cc3-98c4-dc0c0c07398"));
  EXPECT_FALSE(IsUuid("017f22e2x79b0-7cc3-98c4-dc0c0c07398f"));
}

}  // namespace
}  // namespace ledger
