// ledgerctl: the operator's command line for the engagement ledger.
//
//   ledgerctl append --stream=S [--expected=any|no-stream|exists|N] [--file=F]   JSON lines in
//   ledgerctl import [--file=F]     appends as JSON lines, over one AppendStream call
//   ledgerctl read   [--stream=S [--backwards] [--from=REV]] [--from=POS --type=T --org=O --prefix=P]
//   ledgerctl tail   [--from=POS] [--type=T --org=O --prefix=P]
//   ledgerctl info   [--stream=S]
//   ledgerctl verify --data_dir=DIR [--verifier_key=K] | [--server=HOST:PORT] [--verifier_key=K]
//                    [--checkpoint=FILE]
//   ledgerctl audit pubkey | checkpoint | export | check DIR     (services/ctl_audit.h)
//   ledgerctl demo   [--seed=N]
//
// Exit codes: 0 done; 1 refused or failed (the message says why); 2 bad usage; 3 verification
// found damage; 4 the server cannot be reached.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "cli/ctl_audit.h"
#include "cli/ctl_commands.h"
#include "cli/ctl_reports.h"
#include "demo/demo_programme.h"
#include "services/flag_spelling.h"

ABSL_FLAG(std::string, server, "127.0.0.1:50051", "address of ledgerd");
ABSL_FLAG(std::string, token_file, "",
          "a file holding the bearer token to call with; default $LEDGER_TOKEN_FILE, else "
          "./data/local/operator.token when it exists (what `make run` makes)");
ABSL_FLAG(bool, tls, false, "connect with TLS, verifying the server against the system's CAs");
ABSL_FLAG(std::string, tls_ca, "", "connect with TLS, verifying the server against this CA (PEM)");
ABSL_FLAG(std::string, tls_client_cert, "", "mutual TLS: this client certificate (PEM)");
ABSL_FLAG(std::string, tls_client_key, "", "mutual TLS: its private key (PEM)");
ABSL_FLAG(std::string, tls_server_name, "",
          "the name to expect in the server's certificate, when it is not the --server host");
ABSL_FLAG(bool, liveness, false,
          "probe: succeed whenever ledgerd answers, SERVING or not (a liveness probe)");
ABSL_FLAG(std::string, purpose, "", "participant show: why the personal data is needed (recorded)");
ABSL_FLAG(std::string, reason, "", "participant erase: why (recorded)");
ABSL_FLAG(std::string, stream, "", "stream name, e.g. engagement-<uuid>");
ABSL_FLAG(std::string, expected, "any", "append: any, no-stream, exists, or a revision number");
ABSL_FLAG(std::string, file, "-",
          "append: file of events as protobuf JSON, one per line; import: of appends (- = stdin)");
ABSL_FLAG(std::string, from, "",
          "read/tail: start revision (with --stream) or log position; report: first day YYYY-MM-DD");
ABSL_FLAG(std::string, to, "", "report assurance: last day of the period, YYYY-MM-DD");
ABSL_FLAG(std::string, format, "", "report: json (default), csv or html; yousaid: json or text");
ABSL_FLAG(std::string, as_of, "", "report: a log position, or a date/time (events recorded by then)");
ABSL_FLAG(bool, exact, false, "report: exact counts of people (no small-number suppression)");
ABSL_FLAG(uint32_t, open_loop_days, 0, "report assurance: days before a loop counts as open (90)");
ABSL_FLAG(uint32_t, minimum_consultation_days, 0, "report assurance: shortest consultation (84)");
ABSL_FLAG(double, core20_population_percent, 0, "report assurance: Core20 share of the population");
ABSL_FLAG(std::vector<std::string>, population_share, {},
          "report assurance: GROUP=PERCENT,... population shares, e.g. "
          "INCLUSION_HEALTH_GROUP_HOMELESSNESS=0.5");
ABSL_FLAG(std::string, insight, "", "report trace: the insight (UUID)");
ABSL_FLAG(std::string, decision, "", "report trace, audit export: the decision (UUID)");
ABSL_FLAG(std::string, engagement, "", "report yousaid: the engagement (UUID)");
ABSL_FLAG(std::string, session, "", "report session: the session (UUID)");
ABSL_FLAG(std::string, body, "",
          "report yousaid --from --to: only this deciding body's decisions, by its name as "
          "recorded, e.g. \"Primary Care Commissioning Committee\"");
ABSL_FLAG(std::string, name, "evidence", "projections rebuild: the projection");
ABSL_FLAG(std::vector<std::string>, witness_key, {},
          "verify, audit check, audit checkpoint, replay: witnesses' verifier keys "
          "(comma-separated); the checkpoint must be cosigned by --witness_quorum of them");
ABSL_FLAG(int, witness_quorum, 0, "how many of --witness_key must have cosigned (0: all)");
ABSL_FLAG(std::string, state_digest, "",
          "replay: a report's provenance state digest (base64 or hex) to prove it unchanged");
ABSL_FLAG(std::string, out, "",
          "report: write to this file instead of standard output; audit export: the bundle "
          "directory");
ABSL_FLAG(bool, backwards, false, "read --stream: newest first, from --from or the end");
ABSL_FLAG(uint64_t, limit, 0, "read: at most this many events (0 = all)");
ABSL_FLAG(std::vector<std::string>, type, {}, "read/tail: event kinds, e.g. session_held,insight_recorded");
ABSL_FLAG(std::vector<std::string>, org, {}, "read/tail: organisation ODS codes; report, audit export: one");
ABSL_FLAG(std::vector<std::string>, prefix, {}, "read/tail: stream name prefixes");
ABSL_FLAG(std::string, data_dir, "", "verify: check this data directory offline instead of a server");
ABSL_FLAG(std::string, verifier_key, "",
          "verify, audit, replay: the ledger's signed-note verifier key you trust (name+id+key)");
ABSL_FLAG(std::string, checkpoint, "",
          "verify: a checkpoint note saved earlier (audit checkpoint --save); checks the log only "
          "grew since");
ABSL_FLAG(std::string, save, "", "audit checkpoint: write the signed note to this file");
ABSL_FLAG(std::string, key_file, "", "audit pubkey: print the verifier key of this key file offline");
ABSL_FLAG(std::string, origin, "", "audit pubkey --key_file: the log's origin (the key's name)");
ABSL_FLAG(uint64_t, from_position, 0, "audit export: the first position");
ABSL_FLAG(uint64_t, to_position, 0, "audit export: the last position (0 = the latest checkpoint's)");
ABSL_FLAG(int, timeout_seconds, 30, "deadline of unary calls");
ABSL_FLAG(uint64_t, seed, demo::kDefaultSeed, "demo: the seed the programme's ids derive from");
ABSL_FLAG(std::string, organisation, "",
          "migrate: the ODS code of the organisation that runs the ledger (the migration event's)");
ABSL_FLAG(std::string, erasures, "",
          "restore: an erasure register to re-apply (JSON lines of participant_erased events, as "
          "`ledgerctl read --type=participant_erased` prints them from the live ledger)");
ABSL_FLAG(std::string, master_key_file, "",
          "migrate, restore: the master key (64 hex digits); default LEDGER_MASTER_KEY, "
          "else a new key made in NEW_DIR/local/master.key (local mode's place)");

namespace {

constexpr char kUsage[] = R"(ledgerctl: the engagement ledger's command line

  ledgerctl append --stream=S [--expected=any|no-stream|exists|N] [--file=F]
      Appends the events in F (protobuf JSON, one Event per line; - or no --file: stdin) to
      stream S as one all-or-nothing batch. Prints the response as JSON.
  ledgerctl import [--file=F]
      Many appends, one per line of F (protobuf JSON of an AppendEventsRequest: stream,
      expected, events; - or no --file: stdin), over one AppendStream call with up to 256 in
      flight. Each is all or nothing; a refused one is reported with its line and the rest go on.
      Exit 1 when any was refused. Give event ids to make a rerun append nothing twice.
  ledgerctl read [--stream=S [--backwards] [--from=REV]] [--limit=N]
  ledgerctl read [--from=POS] [--type=T,..] [--org=ODS,..] [--prefix=P,..] [--limit=N]
      Prints events as JSON lines: one stream, or the whole log filtered.
  ledgerctl tail [--from=POS] [--type=..] [--org=..] [--prefix=..]
      Follows the log live (Ctrl-C stops).
  ledgerctl info [--stream=S]
      The head of the log, or one stream's revision and positions.
  ledgerctl verify --data_dir=DIR [--verifier_key=K]
      Offline: re-hashes every record of a data directory, recomputes the chain and the tree,
      and checks every stored checkpoint's root and signature: against K, else (with a WARNING)
      against the signing key found in DIR/checkpoint.key; with neither it refuses.
  ledgerctl verify [--server=ADDR] [--verifier_key=K] [--checkpoint=FILE]
      Fetches every event and its stored bytes and recomputes the chain, and the Merkle root
      (RFC 9162) client-side; checks the root and signature of the latest signed checkpoint
      (against K, else the server's own key), and with FILE (a checkpoint saved earlier) that
      the log only grew since: its consistency proof and the root of its first events.
  ledgerctl demo [--seed=N]
      Appends a year (2025-04-01 to 2026-03-31) of demo engagement at organisation QWE: three
      engagements, about 60 fictional participants, sessions, insights, decisions, feedback,
      reimbursements, an evaluation and a correction. Idempotent: a second run appends nothing.
  ledgerctl report assurance --org=QWE --from=2025-04-01 --to=2026-03-31 [--format=json|csv|html]
      The governing body's assurance report (docs/reports.md defines every figure).
  ledgerctl report trace --org=QWE (--insight=ID | --decision=ID)
  ledgerctl report yousaid --org=QWE --engagement=ID [--format=text|json|html]
  ledgerctl report yousaid --org=QWE --from=.. --to=.. [--body=NAME] [--format=text|json|html]
      "You said, we did" for one engagement, or across every engagement for a period (only the
      decisions of one body with --body: a six-monthly report to a committee).
  ledgerctl report session --org=QWE --session=ID [--format=json|csv|html]
      The facilitator's summary of a session: what was heard, how many took part, what next.
  ledgerctl report annual --org=QWE --from=2025-04-01 --to=2026-03-31 [--format=json|csv|html]
      The annual report's section on the duty to involve: a draft text, the evidence against
      the ten principles and the five domains, and the year's case studies.
      Any report: --as_of=POSITION|DATE (as it stood then), --exact (no suppression), --out=FILE.
  ledgerctl projections status | verify | rebuild [--name=evidence]
      status: how far each projection is, and what its last check against the log found;
      verify: recompute each from the log now and compare with its stored state (exit 3 when
      one differs; it then serves no report until rebuilt).
  ledgerctl health
      Whether ledgerd can be trusted to serve, and if not, why (a projection that differs from
      the log or stopped on an event, a witness that has seen another history, a failed write).
      Exit 1 when not serving.
  ledgerctl probe [--liveness]
      The standard gRPC health check, sent without credentials (Docker HEALTHCHECK, Kubernetes
      exec probes): exit 0 when SERVING, 1 otherwise; --liveness: 0 whenever ledgerd answers.
  ledgerctl replay --as_of=POSITION|DATE --org=QWE [--from=.. --to=..] [--verifier_key=K]
                   [--state_digest=D]
      The evidence as it stood then, the signed checkpoint covering it (its signature checked
      against K, else the server's own key), and the proof that the point's event is in it.
      With D (a report's provenance.state_digest, base64 or hex; --as_of its position): proves
      the report was computed from what the log says, or exits 3.
  ledgerctl audit pubkey [--key_file=F --origin=NAME]
      The ledger's checkpoint verifier key: the server's, or offline from the key file.
  ledgerctl audit checkpoint [--verifier_key=K] [--save=FILE]
      The latest signed checkpoint, its signature checked; --save keeps the note for verify.
  ledgerctl audit export --from_position=A [--to_position=B] --out=DIR [--verifier_key=K]
  ledgerctl audit export --decision=ID --org=ODS --out=DIR [--verifier_key=K]
      Writes an audit bundle: events, their inclusion proofs, the signed checkpoint, the key
      (docs/audit.md). --decision: the decision's evidence pack, without participants' records.
  ledgerctl audit check DIR [--verifier_key=K]
      Checks a bundle offline: signature, every proof and record. Without K it trusts the
      bundle's own key and says so.
      verify, audit checkpoint, audit check and replay take a witness policy:
      --witness_key=W1,W2,.. [--witness_quorum=N]: the checkpoint must carry valid C2SP
      cosignatures of N of those witnesses (default: all), or the check fails (exit 3).

  ledgerctl participant show ID [ID..] --purpose="subject access request 2026-031"
      A privacy officer's view of participants' personal data in clear; the disclosure is
      recorded in the log first (who, when, whom, why).
  ledgerctl participant erase ID --reason="right to erasure request 2026-114"
      Erases a participant's personal data for ever (their data key is destroyed); the erasure
      is recorded in the log, and every hash still verifies. Privacy officers only.
  ledgerctl whoami
      Who the server takes you for, and your roles.
  ledgerctl backup DIR
      An online backup of the data directory into DIR on ledgerd's machine (admins): the log,
      the projections and the key store, never the master key.
  ledgerctl restore BACKUP_DIR NEW_DATA_DIR --master_key_file=F [--erasures=FILE]
      Offline: a new data directory from a backup, with every erasure its log records, and those
      of an erasure register from the live ledger, re-applied before it is served.
  ledgerctl migrate OLD_DIR NEW_DIR --organisation=ODS [--master_key_file=F]
      Offline: writes NEW_DIR from a data directory written before personal data was sealed
      (docs/security.md).

Credentials: every call carries a bearer token (--token_file; default $LEDGER_TOKEN_FILE, else
./data/local/operator.token, which `make run` makes), or a client certificate (--tls_client_cert
and --tls_client_key). --tls or --tls_ca=FILE connects with TLS.
Common: --server=HOST:PORT (default 127.0.0.1:50051). Flag names may be written with dashes
(--from-position) or underscores (--from_position).
Exit codes: 0 done, 1 refused or failed, 2 bad usage, 3 verification failed, 4 server unreachable.
)";

// The bearer token and TLS settings of every call; exit code 2 when a named file is missing.
int ResolveCredentials(services::ClientCredentials* credentials) {
  std::string token_file = absl::GetFlag(FLAGS_token_file);
  if (token_file.empty()) {
    const char* from_env = std::getenv("LEDGER_TOKEN_FILE");
    if (from_env != nullptr && *from_env != '\0') {
      token_file = from_env;
    } else if (std::filesystem::exists("data/local/operator.token")) {
      token_file = "data/local/operator.token";
    }
  }
  if (!token_file.empty()) {
    absl::StatusOr<std::string> token = services::ReadTokenFile(token_file);
    if (!token.ok()) {
      std::fprintf(stderr, "ledgerctl: %s\n", std::string(token.status().message()).c_str());
      return ctl::kExitUsage;
    }
    credentials->token = *token;
  }
  credentials->tls = absl::GetFlag(FLAGS_tls);
  credentials->ca_file = absl::GetFlag(FLAGS_tls_ca);
  credentials->cert_file = absl::GetFlag(FLAGS_tls_client_cert);
  credentials->key_file = absl::GetFlag(FLAGS_tls_client_key);
  credentials->server_name = absl::GetFlag(FLAGS_tls_server_name);
  for (const std::string* file : {&credentials->ca_file, &credentials->cert_file, &credentials->key_file}) {
    if (!file->empty() && !std::filesystem::exists(*file)) {
      std::fprintf(stderr, "ledgerctl: %s cannot be read\n", file->c_str());
      return ctl::kExitUsage;
    }
  }
  return ctl::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  services::NormalizeFlagNames(argc, argv);  // --from-position means --from_position
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) {
    std::fputs(kUsage, stderr);
    return ctl::kExitUsage;
  }
  std::string command = args[1];
  ctl::Options options;
  options.server = absl::GetFlag(FLAGS_server);
  if (int code = ResolveCredentials(&options.credentials); code != ctl::kExitOk) return code;
  options.stream = absl::GetFlag(FLAGS_stream);
  options.expected = absl::GetFlag(FLAGS_expected);
  options.file = absl::GetFlag(FLAGS_file);
  std::string from = absl::GetFlag(FLAGS_from);
  if (command != "report" && !from.empty() && !absl::SimpleAtoi(from, &options.from)) {
    std::fprintf(stderr, "ledgerctl %s: --from must be a number\n", command.c_str());
    return ctl::kExitUsage;
  }
  options.backwards = absl::GetFlag(FLAGS_backwards);
  options.limit = absl::GetFlag(FLAGS_limit);
  options.types = absl::GetFlag(FLAGS_type);
  options.organisations = absl::GetFlag(FLAGS_org);
  options.prefixes = absl::GetFlag(FLAGS_prefix);
  options.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.timeout_seconds = absl::GetFlag(FLAGS_timeout_seconds);
  options.seed = absl::GetFlag(FLAGS_seed);
  options.verifier_key = absl::GetFlag(FLAGS_verifier_key);
  options.checkpoint_file = absl::GetFlag(FLAGS_checkpoint);
  options.save = absl::GetFlag(FLAGS_save);
  options.key_file = absl::GetFlag(FLAGS_key_file);
  options.origin = absl::GetFlag(FLAGS_origin);
  options.from_position = absl::GetFlag(FLAGS_from_position);
  options.to_position = absl::GetFlag(FLAGS_to_position);
  options.decision = absl::GetFlag(FLAGS_decision);
  options.out = absl::GetFlag(FLAGS_out);
  options.witness_keys = absl::GetFlag(FLAGS_witness_key);
  options.witness_quorum = absl::GetFlag(FLAGS_witness_quorum);

  if (command == "append") return ctl::Append(options);
  if (command == "import") return ctl::Import(options);
  if (command == "read") return ctl::Read(options);
  if (command == "tail") return ctl::Tail(options);
  if (command == "info") return ctl::Info(options);
  if (command == "verify") return ctl::Verify(options);
  if (command == "demo") return ctl::Demo(options);
  if (command == "whoami") return ctl::WhoAmI(options);
  if (command == "health") return ctl::Health(options);
  if (command == "probe") return ctl::Probe(absl::GetFlag(FLAGS_liveness), options);
  if (command == "participant") {
    std::vector<std::string> ids(args.begin() + std::min<size_t>(args.size(), 3), args.end());
    return ctl::ParticipantCommand(args.size() > 2 ? args[2] : "", ids, absl::GetFlag(FLAGS_purpose),
                                   absl::GetFlag(FLAGS_reason), options);
  }
  if (command == "backup" || command == "restore") {
    std::vector<std::string> rest(args.begin() + std::min<size_t>(args.size(), 2), args.end());
    if (command == "backup") return ctl::Backup(rest, options);
    return ctl::Restore(rest, absl::GetFlag(FLAGS_master_key_file), absl::GetFlag(FLAGS_erasures));
  }
  if (command == "migrate") {
    std::vector<std::string> dirs(args.begin() + std::min<size_t>(args.size(), 2), args.end());
    return ctl::Migrate(dirs, absl::GetFlag(FLAGS_organisation), absl::GetFlag(FLAGS_master_key_file));
  }
  if (command == "audit") {
    std::vector<std::string> rest(args.begin() + std::min<size_t>(args.size(), 3), args.end());
    return ctl::AuditCommand(args.size() > 2 ? args[2] : "", rest, options);
  }
  if (command == "report" || command == "projections" || command == "replay") {
    ctl::ReportOptions report;
    report.server = options.server;
    report.credentials = options.credentials;
    report.timeout_seconds = std::max(options.timeout_seconds, 60);
    if (!options.organisations.empty()) report.organisation = options.organisations[0];
    report.from = from;
    report.to = absl::GetFlag(FLAGS_to);
    report.format = absl::GetFlag(FLAGS_format);
    report.as_of = absl::GetFlag(FLAGS_as_of);
    report.exact = absl::GetFlag(FLAGS_exact);
    report.open_loop_days = absl::GetFlag(FLAGS_open_loop_days);
    report.minimum_consultation_days = absl::GetFlag(FLAGS_minimum_consultation_days);
    report.core20_population_percent = absl::GetFlag(FLAGS_core20_population_percent);
    report.population_shares = absl::GetFlag(FLAGS_population_share);
    report.insight = absl::GetFlag(FLAGS_insight);
    report.decision = absl::GetFlag(FLAGS_decision);
    report.engagement = absl::GetFlag(FLAGS_engagement);
    report.session = absl::GetFlag(FLAGS_session);
    report.body = absl::GetFlag(FLAGS_body);
    report.name = absl::GetFlag(FLAGS_name);
    report.out = absl::GetFlag(FLAGS_out);
    report.verifier_key = options.verifier_key;
    report.state_digest = absl::GetFlag(FLAGS_state_digest);
    report.witness_keys = options.witness_keys;
    report.witness_quorum = options.witness_quorum;
    std::string what = args.size() > 2 ? args[2] : "";
    if (command == "replay") return ctl::ReplayCommand(report);
    if (command == "report") {
      if (report.format.empty()) report.format = what == "yousaid" ? "text" : "json";
      return ctl::ReportCommand(what, report);
    }
    return ctl::ProjectionsCommand(what, report);
  }
  std::fprintf(stderr, "ledgerctl: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
  return ctl::kExitUsage;
}
