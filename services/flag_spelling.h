// Dashed flag names for ledgerd and ledgerctl: `--from-position=1` means `--from_position=1`.
//
// Abseil matches flag names exactly, and every flag here is defined with underscores, but people
// (and the documents they follow) write dashes. NormalizeFlagNames rewrites argv in place before
// absl::ParseCommandLine: in each argument that starts with "--", every '-' of the flag NAME (up
// to the first '=') becomes '_'. It leaves alone the value after '=', arguments that do not start
// with "--" (positional words, values given as the next argument, "-x" single-dash forms) and
// everything after a bare "--" (which ends the flags).
#ifndef ENGAGEMENT_SERVICES_FLAG_SPELLING_H_
#define ENGAGEMENT_SERVICES_FLAG_SPELLING_H_

#include <cstring>

namespace services {

inline void NormalizeFlagNames(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    if (std::strncmp(arg, "--", 2) != 0) continue;
    if (arg[2] == '\0') return;  // a bare "--": what follows is not flags
    for (char* c = arg + 2; *c != '\0' && *c != '='; ++c) {
      if (*c == '-') *c = '_';
    }
  }
}

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_FLAG_SPELLING_H_
