// What append_bench and read_bench share: an in-process ledgerd in local mode on 127.0.0.1 with
// a fresh data directory (or the one given), and gRPC channels that call it as the local
// operator; the engagement the benchmarks' sessions belong to; a session event.
#ifndef ENGAGEMENT_BENCH_BENCH_SERVER_H_
#define ENGAGEMENT_BENCH_BENCH_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "ledger/uuid.h"
#include "services/client_channel.h"
#include "services/ledger_server.h"

namespace bench {

// The engagement every benchmark session belongs to (the engagement rules refuse sessions of
// unknown engagements).
inline constexpr char kEngagement[] = "3f1c2a4e-8b7d-4c1e-9a2b-1d2e3f4a5b6c";

struct BenchServer {
  std::string dir;
  bool remove_dir = false;  // a temporary directory of our own
  std::unique_ptr<services::LedgerServer> server;
  std::vector<std::unique_ptr<engagement::v1::LedgerService::Stub>> stubs;  // one per channel

  ~BenchServer() {
    if (server != nullptr) server->Shutdown().IgnoreError();
    server.reset();
    std::error_code ignored;
    if (remove_dir) std::filesystem::remove_all(dir, ignored);
  }
};

struct BenchServerOptions {
  std::string data_dir;  // empty: a fresh temporary one, removed at the end
  bool follow_projections = true;
  std::string tls_cert, tls_key, tls_ca;  // empty: plain text on loopback
  int channels = 8;
  uint64_t max_writing_subscriptions = 4;  // ledgerd --max_writing_subscriptions
  uint64_t max_subscriptions = 1000;        // ledgerd --max_subscriptions
  // A node of a replicated ledger on these NATS servers (ledgerd --nats_servers); empty: a
  // single node. The benchmark waits until the node leads.
  std::vector<std::string> nats_servers;
  int nats_replicas = 3;
};

// A session-held event of the benchmark's engagement with a new session id.
inline engagement::v1::Event SessionEvent(const std::string& session_id) {
  engagement::v1::Event event;
  event.mutable_occurred_at()->set_seconds(1746093600);
  event.set_organisation("QWE");
  event.set_actor("bench");
  auto* session = event.mutable_session_held();
  session->set_engagement_id(kEngagement);
  session->set_session_id(session_id);
  session->set_title("Co-design workshop 3: education sessions");
  session->set_method(engagement::v1::ENGAGEMENT_METHOD_CO_DESIGN_WORKSHOP);
  session->set_duration_minutes(120);
  session->set_venue("Community centre");
  session->set_cost_pence(25000);
  return event;
}

// Starts the server, connects the channels and opens the benchmark's engagement.
inline absl::StatusOr<std::unique_ptr<BenchServer>> StartBenchServer(
    const BenchServerOptions& options) {
  auto bench = std::make_unique<BenchServer>();
  bench->dir = options.data_dir;
  if (bench->dir.empty()) {
    bench->dir = "/tmp/ledger-bench-" + ledger::NewUuid();
    bench->remove_dir = true;
  }
  services::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.data_dir = bench->dir;
  server_options.follow_projections = options.follow_projections;
  server_options.max_writing_subscriptions = options.max_writing_subscriptions;
  server_options.max_subscriptions = options.max_subscriptions;
  // Local mode's credentials (an issuer, a policy, the operator's token); TLS when asked for.
  server_options.security.insecure_local = true;
  server_options.security.tls_cert_file = options.tls_cert;
  server_options.security.tls_key_file = options.tls_key;
  if (!options.nats_servers.empty()) {
    server_options.replication.servers = options.nats_servers;
    server_options.replication.node_id = "bench";
    server_options.replication.replicas = options.nats_replicas;
  }
  auto server = services::LedgerServer::Start(server_options);
  if (!server.ok()) return server.status();
  bench->server = *std::move(server);
  if (const ledger::JetStreamReplica* replica = bench->server->replica()) {
    const absl::Time give_up = absl::Now() + absl::Seconds(30);
    while (!replica->IsLeader() && absl::Now() < give_up) absl::SleepFor(absl::Milliseconds(20));
    if (!replica->IsLeader()) return absl::UnavailableError("the node did not become the leader");
  }
  absl::StatusOr<std::string> token =
      services::ReadTokenFile(bench->server->local_credentials_directory() + "/operator.token");
  if (!token.ok()) return token.status();
  services::ClientCredentials credentials;
  credentials.token = *token;
  credentials.ca_file = options.tls_ca;
  for (int i = 0; i < options.channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("grpc.channel_id", i);  // distinct channels, distinct connections
    bench->stubs.push_back(engagement::v1::LedgerService::NewStub(*services::MakeChannel(
        absl::StrCat("127.0.0.1:", bench->server->port()), credentials, args)));
  }
  engagement::v1::AppendEventsRequest open;
  open.set_stream(std::string("engagement-") + kEngagement);
  open.mutable_expected()->set_state(engagement::v1::EXPECTED_STATE_ANY);
  auto* event = open.add_events();
  event->mutable_occurred_at()->set_seconds(1746000000);
  event->set_organisation("QWE");
  event->set_actor("bench");
  auto* opened = event->mutable_engagement_opened();
  opened->set_engagement_id(kEngagement);
  opened->set_title("Benchmark engagement");
  opened->set_topic("Benchmark");
  opened->set_commissioning_stage(engagement::v1::COMMISSIONING_STAGE_SERVICE_DESIGN);
  opened->set_spectrum_level(engagement::v1::SPECTRUM_LEVEL_INVOLVE);
  opened->set_scope_for_influence("Everything");
  opened->set_duty_to_involve(engagement::v1::DUTY_APPLIES_NO);
  opened->set_duty_reason("A benchmark");
  opened->set_lead_role("Benchmark");
  grpc::ClientContext context;
  engagement::v1::AppendEventsResponse response;
  grpc::Status status = bench->stubs[0]->AppendEvents(&context, open, &response);
  if (!status.ok()) {
    return absl::UnavailableError("cannot open the engagement: " + status.error_message());
  }
  return bench;
}

}  // namespace bench

#endif  // ENGAGEMENT_BENCH_BENCH_SERVER_H_
