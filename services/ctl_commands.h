// The commands of ledgerctl, one function each; each returns the process exit code.
#ifndef ENGAGEMENT_SERVICES_CTL_COMMANDS_H_
#define ENGAGEMENT_SERVICES_CTL_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitVerifyFailed = 3;
inline constexpr int kExitUnreachable = 4;

struct Options {
  std::string server;
  std::string stream;
  std::string expected;
  std::string file;
  uint64_t from = 0;
  bool backwards = false;
  uint64_t limit = 0;
  std::vector<std::string> types;
  std::vector<std::string> organisations;
  std::vector<std::string> prefixes;
  std::string data_dir;
  int timeout_seconds = 30;
};

int Append(const Options& options);
int Read(const Options& options);
int Tail(const Options& options);
int Info(const Options& options);
int Verify(const Options& options);

}  // namespace ctl

#endif  // ENGAGEMENT_SERVICES_CTL_COMMANDS_H_
