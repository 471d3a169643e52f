// Logging for ledgerd and witnessd: one line per event on stderr, as text ("ledgerd: message")
// for a person at a terminal, or as one JSON object per line for a log collector:
//   {"time":"2026-12-02T05:00:39.123Z","level":"info","program":"ledgerd","message":"..."}
// gRPC's own messages are routed through the same logger, so a JSON log holds nothing else.
//
// What is logged is the program's own words about its state: paths, positions, counts, flags,
// the names of witnesses and projections. Never an event's content, a participant's data or a
// token: callers' data stays out of logs (docs/security.md).
//
// Thread safety: the Log* functions may be called from any thread; InitLogging once, first.
#ifndef ENGAGEMENT_SERVICES_LOGGING_H_
#define ENGAGEMENT_SERVICES_LOGGING_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace services {

enum class LogFormat { kText, kJson };

// "text" or "json"; INVALID_ARGUMENT naming --log_format otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(absl::string_view text);

// Sets the program name and format for every later line. Without it: text, as "ledgerd".
void InitLogging(absl::string_view program, LogFormat format);

void LogInfo(absl::string_view message);
void LogWarning(absl::string_view message);  // text: "ledgerd: WARNING: message"
void LogError(absl::string_view message);    // text: "ledgerd: ERROR: message"

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_LOGGING_H_
