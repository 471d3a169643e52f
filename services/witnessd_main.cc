// witnessd: a witness for other organisations' ledgers (C2SP tlog-witness, https://c2sp.org/
// tlog-witness), so that a ledger's signed history cannot be quietly replaced: run one at an
// auditor or a partner organisation, give it the ledgers' verifier keys, and give the ledgers its
// URL and verifier key (ledgerd --witnesses). It serves the protocol and nothing else:
//
//   POST <prefix>/add-checkpoint    ledger/tlog_witness.h says what it checks and answers
//
//   witnessd --generate_key --key_file=witness.key --name=auditor.example.nhs.uk/witness
//   witnessd --name=auditor.example.nhs.uk/witness --key_file=witness.key --state_dir=/var/lib/witness
//            --log_keys=<ledger verifier key>[,<another>] --listen=0.0.0.0:7380
//            [--tls_cert=cert.pem --tls_key=key.pem]
//
// Its state is one small file per ledger under --state_dir (the size and root it last cosigned),
// replaced atomically and synced before each answer; a lock file keeps a second witnessd off the
// same directory. SIGTERM or SIGINT stops it.
#include <fcntl.h>
#include <httplib.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "ledger/cosignature.h"
#include "ledger/signed_note.h"
#include "ledger/tlog_witness.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:7380", "host:port to serve HTTP(S) on (port 0: any)");
ABSL_FLAG(std::string, name, "", "the witness's name, e.g. auditor.example.nhs.uk/witness");
ABSL_FLAG(std::string, key_file, "", "the witness's Ed25519 key (PEM PKCS#8)");
ABSL_FLAG(bool, generate_key, false, "create --key_file, print the verifier key and exit");
ABSL_FLAG(bool, print_key, false, "print the verifier key of --key_file and --name, and exit");
ABSL_FLAG(std::vector<std::string>, log_keys, {},
          "the verifier keys of the ledgers it witnesses (comma-separated)");
ABSL_FLAG(std::string, logs_file, "", "a file of ledger verifier keys, one per line ('#' comments)");
ABSL_FLAG(std::string, state_dir, "", "where it keeps what it cosigned");
ABSL_FLAG(std::string, prefix, "", "the submission prefix, e.g. /witness (default: none)");
ABSL_FLAG(std::string, tls_cert, "", "serve HTTPS with this certificate chain (PEM)");
ABSL_FLAG(std::string, tls_key, "", "and this private key (PEM)");

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "witnessd: %s\n", message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "a C2SP tlog-witness for engagement ledgers: witnessd --name=N --key_file=F "
      "--state_dir=D --log_keys=K");
  absl::ParseCommandLine(argc, argv);
  const std::string name = absl::GetFlag(FLAGS_name);
  const std::string key_file = absl::GetFlag(FLAGS_key_file);
  if (name.empty() || key_file.empty()) return Fail("--name and --key_file are required");
  if (absl::GetFlag(FLAGS_generate_key)) {
    absl::Status made = ledger::NoteSigner::GenerateKeyFile(key_file);
    if (!made.ok()) return Fail(std::string(made.message()));
  }
  absl::StatusOr<ledger::Cosigner> cosigner = ledger::Cosigner::Load(key_file, name);
  if (!cosigner.ok()) return Fail(std::string(cosigner.status().message()));
  if (absl::GetFlag(FLAGS_generate_key) || absl::GetFlag(FLAGS_print_key)) {
    std::printf("%s\n", cosigner->VerifierKey().c_str());
    return 0;
  }
  std::vector<std::string> log_keys = absl::GetFlag(FLAGS_log_keys);
  if (!absl::GetFlag(FLAGS_logs_file).empty()) {
    std::ifstream in(absl::GetFlag(FLAGS_logs_file));
    if (!in) return Fail(absl::StrCat("cannot read ", absl::GetFlag(FLAGS_logs_file)));
    for (std::string line; std::getline(in, line);) {
      std::string key(absl::StripAsciiWhitespace(line));
      if (!key.empty() && key[0] != '#') log_keys.push_back(key);
    }
  }
  std::vector<ledger::NoteVerifier> logs;
  for (const std::string& key : log_keys) {
    absl::StatusOr<ledger::NoteVerifier> log = ledger::NoteVerifier::Parse(key);
    if (!log.ok()) return Fail(absl::StrCat("ledger key ", key, ": ", log.status().message()));
    logs.push_back(*std::move(log));
  }
  if (logs.empty()) return Fail("give the ledgers to witness: --log_keys or --logs_file");
  const std::string state_dir = absl::GetFlag(FLAGS_state_dir);
  if (state_dir.empty()) return Fail("--state_dir is required");
  auto state = ledger::FileWitnessStateStore::Open(state_dir);
  if (!state.ok()) return Fail(std::string(state.status().message()));
  int lock = open(absl::StrCat(state_dir, "/LOCK").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0 || flock(lock, LOCK_EX | LOCK_NB) != 0) {
    return Fail(absl::StrCat(state_dir, " is in use by another witnessd"));
  }
  ledger::Witness witness(*cosigner, std::move(logs), state->get(),
                          [] { return static_cast<uint64_t>(absl::ToUnixSeconds(absl::Now())); });

  std::unique_ptr<httplib::Server> server;
  const std::string cert = absl::GetFlag(FLAGS_tls_cert), key = absl::GetFlag(FLAGS_tls_key);
  if (cert.empty() != key.empty()) return Fail("--tls_cert and --tls_key go together");
  if (!cert.empty()) {
    auto tls = std::make_unique<httplib::SSLServer>(cert.c_str(), key.c_str());
    if (!tls->is_valid()) return Fail("cannot use --tls_cert and --tls_key");
    server = std::move(tls);
  } else {
    server = std::make_unique<httplib::Server>();
  }
  server->set_tcp_nodelay(true);
  server->set_payload_max_length(16 * 1024);  // 63 proof lines and a checkpoint fit many times
  server->Post(absl::StrCat(absl::GetFlag(FLAGS_prefix), "/add-checkpoint"),
               [&](const httplib::Request& request, httplib::Response& response) {
                 ledger::WitnessResponse answer = witness.AddCheckpoint(request.body);
                 response.status = answer.http_status;
                 response.set_content(answer.body, answer.content_type.c_str());
               });
  const std::string listen = absl::GetFlag(FLAGS_listen);
  const size_t colon = listen.rfind(':');
  int port = 0;
  if (colon == std::string::npos || !absl::SimpleAtoi(listen.substr(colon + 1), &port)) {
    return Fail("--listen is host:port");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (port == 0) {
    port = server->bind_to_any_port(host.c_str());
  } else if (!server->bind_to_port(host.c_str(), port)) {
    port = -1;
  }
  if (port <= 0) return Fail(absl::StrCat("cannot listen on ", listen));

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::thread stopper([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server->stop();
  });
  std::fprintf(stderr, "witnessd: %s serving %s on %s:%d; verifier key %s; state in %s\n",
               name.c_str(), cert.empty() ? "HTTP" : "HTTPS", host.c_str(), port,
               cosigner->VerifierKey().c_str(), state_dir.c_str());
  std::fflush(stderr);
  server->listen_after_bind();
  pthread_kill(stopper.native_handle(), SIGTERM);  // if it stopped for another reason
  stopper.join();
  std::fprintf(stderr, "witnessd: stopped\n");
  return 0;
}
