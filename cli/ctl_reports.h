// ledgerctl's report and projection commands.
//
//   ledgerctl report assurance --org=QWE --from=2025-04-01 --to=2026-03-31 [--format=json|csv|html]
//   ledgerctl report trace --org=QWE (--insight=ID | --decision=ID)
//   ledgerctl report yousaid --org=QWE --engagement=ID
//   ledgerctl projections status | verify
//   ledgerctl projections rebuild [--name=evidence]
// Any report takes --as_of=POSITION or --as_of=YYYY-MM-DD[THH:MM:SSZ] (recorded by then), and
// --exact for exact counts of people. --out=FILE writes the report to a file.
#ifndef ENGAGEMENT_SERVICES_CTL_REPORTS_H_
#define ENGAGEMENT_SERVICES_CTL_REPORTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "engagement/v1/reports.pb.h"
#include "services/client_channel.h"

namespace ctl {

struct ReportOptions {
  std::string server;
  services::ClientCredentials credentials;
  int timeout_seconds = 60;
  std::string organisation;
  std::string from, to;
  std::string format = "json";
  std::string as_of;
  // As of a point, replayed from the log rather than read from the projection's history
  // (AsOf.from_log): what `replay` does, so that it checks the log, not the read model.
  bool as_of_from_log = false;
  bool exact = false;
  uint32_t open_loop_days = 0;
  uint32_t minimum_consultation_days = 0;
  double core20_population_percent = 0;
  // GROUP=PERCENT pairs, e.g. INCLUSION_HEALTH_GROUP_HOMELESSNESS=0.5.
  std::vector<std::string> population_shares;
  std::string insight, decision, engagement;
  std::string session;  // report session
  std::string body;     // report yousaid over a period: one deciding body
  std::string name = "evidence";
  std::string out;
  // replay: the ledger's verifier key the covering checkpoint's signature is checked with (empty:
  // the server's own, with a warning), as `ledgerctl verify --verifier_key` (ctl_audit.h).
  std::string verifier_key;
  // replay: a report's provenance state digest (base64 or hex) that the replay must reproduce.
  std::string state_digest;
  // replay: the witness policy the covering checkpoint must meet (ctl_commands.h Options).
  std::vector<std::string> witness_keys;
  int witness_quorum = 0;
};

// Parses --as_of: a log position, or a date (the whole day) or RFC 3339 time, meaning the events
// recorded by then. False when it is neither.
bool ParseAsOf(const std::string& text, engagement::v1::AsOf* out);

// `what` is "assurance", "trace" or "yousaid". Returns the exit code.
int ReportCommand(const std::string& what, const ReportOptions& options);
// `what` is "status" or "rebuild". Returns the exit code.
int ProjectionsCommand(const std::string& what, const ReportOptions& options);
// `ledgerctl replay`: the assurance report as of --as_of, the signed checkpoint that covers it
// (its signature checked), and the inclusion proof of the point's event (ctl_replay.cc). Returns
// the exit code: 3 when the signature or the proof does not verify.
int ReplayCommand(const ReportOptions& options);

}  // namespace ctl

#endif  // ENGAGEMENT_SERVICES_CTL_REPORTS_H_
