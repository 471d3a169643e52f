// Every record of a projection's state, in key order, for tests to compare states whole.
#ifndef ENGAGEMENT_TESTS_STATE_DUMP_H_
#define ENGAGEMENT_TESTS_STATE_DUMP_H_

#include <map>
#include <string>

#include "gtest/gtest.h"
#include "projections/state_store.h"

namespace testing_support {

inline std::map<std::string, std::string> Dump(const projections::StateReader& state) {
  std::map<std::string, std::string> out;
  EXPECT_TRUE(state.Scan("", [&](absl::string_view k, absl::string_view v) {
                     out.emplace(std::string(k), std::string(v));
                     return true;
                   }).ok());
  return out;
}

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_STATE_DUMP_H_
