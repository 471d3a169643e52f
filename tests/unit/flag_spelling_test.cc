// Dashed flag names mean the underscored flags; values, positional words and whatever follows a
// bare "--" are left as they were typed.
#include "services/flag_spelling.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace {

std::vector<std::string> Normalized(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  services::NormalizeFlagNames(static_cast<int>(argv.size()), argv.data());
  return std::vector<std::string>(argv.begin(), argv.end());
}

TEST(FlagSpellingTest, DashesInFlagNamesBecomeUnderscores) {
  EXPECT_EQ(Normalized({"ledgerctl", "audit", "export", "--from-position=1", "--to-position",
                        "7", "--as-of=2025-06-01", "--verifier_key=k"}),
            (std::vector<std::string>{"ledgerctl", "audit", "export", "--from_position=1",
                                      "--to_position", "7", "--as_of=2025-06-01",
                                      "--verifier_key=k"}));
}

TEST(FlagSpellingTest, ValuesPositionalWordsAndArgumentsAfterADoubleDashAreKept) {
  EXPECT_EQ(Normalized({"ledgerctl", "--out=my-bundle-dir", "--stream=engagement-3f1c-2a4e",
                        "audit", "check", "bundle-dir", "-5", "--", "--not-a-flag"}),
            (std::vector<std::string>{"ledgerctl", "--out=my-bundle-dir",
                                      "--stream=engagement-3f1c-2a4e", "audit", "check",
                                      "bundle-dir", "-5", "--", "--not-a-flag"}));
  // The program name is never touched.
  EXPECT_EQ(Normalized({"--odd-name", "--data-dir=/tmp/a-b"}),
            (std::vector<std::string>{"--odd-name", "--data_dir=/tmp/a-b"}));
}

}  // namespace
