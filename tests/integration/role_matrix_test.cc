// Who may do what, from one table: every role x every RPC x the caller's own organisation and
// another, through a real server and client over TLS with bearer tokens, over gRPC and over the
// JSON API (the same answers from both). Also: no token is
// UNAUTHENTICATED and an identity the policy does not know is PERMISSION_DENIED, on every RPC.
#include <functional>
#include <map>
#include <set>

#include "engagement/v1/audit.grpc.pb.h"
#include "engagement/v1/ledger_service.grpc.pb.h"
#include "engagement/v1/operations.grpc.pb.h"
#include "engagement/v1/privacy.grpc.pb.h"
#include "engagement/v1/report_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "ledger/uuid.h"
#include "tests/event_builders.h"
#include "tests/integration/rpc_transport.h"
#include "tests/integration/secure_ledger.h"

namespace {

using namespace engagement::v1;  // NOLINT: the table reads better without prefixes
using builders::Event;
using testing_support::GrpcTransport;
using testing_support::JsonTransport;
using testing_support::RpcTransport;

// The roles as the policy grants them, each for QWE only, to "<role>@qwe".
const std::vector<std::string> kRoles = {"recorder", "reader", "auditor", "privacy_officer", "admin"};

std::string Policy() {
  std::string policy;
  for (const std::string& role : kRoles) {
    std::string upper = role;
    for (char& c : upper) c = static_cast<char>(std::toupper(c));
    absl::StrAppend(&policy, "principals { token_subject: \"", role, "@qwe\" grants { role: ROLE_",
                    upper, " organisations: \"QWE\" } }\n");
  }
  // Sets up the data of both organisations.
  absl::StrAppend(&policy, "principals { token_subject: \"seeder\" grants { role: ROLE_RECORDER "
                           "organisations: \"*\" } grants { role: ROLE_AUDITOR organisations: "
                           "\"*\" } }\n");
  absl::StrAppend(&policy, "principals { token_subject: \"nobody\" }\n");
  return policy;
}

// What each organisation holds, made by the seeder.
struct OrgData {
  std::string engagement, stream, participant, event_id;
};

// Stubs of every service over one channel.
struct Stubs {
  explicit Stubs(const std::shared_ptr<grpc::Channel>& channel)
      : ledger(LedgerService::NewStub(channel)),
        reports(ReportService::NewStub(channel)),
        audit(AuditService::NewStub(channel)),
        privacy(PrivacyService::NewStub(channel)),
        operations(OperationsService::NewStub(channel)) {}
  std::unique_ptr<LedgerService::Stub> ledger;
  std::unique_ptr<ReportService::Stub> reports;
  std::unique_ptr<AuditService::Stub> audit;
  std::unique_ptr<PrivacyService::Stub> privacy;
  std::unique_ptr<OperationsService::Stub> operations;
};

class RoleMatrixTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing_support::TempDir();
    ledger_ = new testing_support::SecureLedger(*dir_, Policy());
    ASSERT_TRUE(ledger_->started()) << ledger_->status();
    Stubs seeder(ledger_->Channel(ledger_->Token("seeder")));
    for (const char* org : {"QWE", "XYZ"}) {
      OrgData& d = (*data_)[org];
      d.engagement = ledger::NewUuid();
      d.participant = ledger::NewUuid();
      d.stream = "engagement-" + d.engagement;
      Event opened = builders::Opened(d.engagement, "2025-05-01");
      opened.set_organisation(org);
      Event person = builders::Participant(d.participant, "2025-05-01");
      person.set_organisation(org);
      d.event_id = ledger::NewUuid();
      opened.set_event_id(d.event_id);
      AppendOrFail(seeder, d.stream, {opened});
      AppendOrFail(seeder, "participant-" + d.participant, {person});
    }
  }
  static void TearDownTestSuite() {
    delete ledger_;
    delete dir_;
  }

  static void AppendOrFail(Stubs& stubs, const std::string& stream, std::vector<Event> events) {
    AppendEventsRequest request;
    request.set_stream(stream);
    request.mutable_expected()->set_state(EXPECTED_STATE_ANY);
    for (Event& e : events) *request.add_events() = std::move(e);
    grpc::ClientContext context;
    AppendEventsResponse response;
    grpc::Status status = stubs.ledger->AppendEvents(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  static testing_support::TempDir* dir_;
  static testing_support::SecureLedger* ledger_;
  static std::map<std::string, OrgData>* data_;
};

testing_support::TempDir* RoleMatrixTest::dir_ = nullptr;
testing_support::SecureLedger* RoleMatrixTest::ledger_ = nullptr;
std::map<std::string, OrgData>* RoleMatrixTest::data_ = new std::map<std::string, OrgData>();

// One RPC, called about organisation `org`'s data.
struct Rpc {
  std::string name;
  std::set<std::string> allowed;  // roles that may call it
  bool per_organisation;          // the answer depends on whose data it is about
  std::function<grpc::Status(RpcTransport&, const OrgData&, const std::string& org)> call;
};

const std::vector<Rpc>& Table() {
  static const auto* table = new std::vector<Rpc>{
      {"AppendEvents", {"recorder"}, true,
       [](RpcTransport& t, const OrgData& d, const std::string& org) {
         AppendEventsRequest r;
         r.set_stream(d.stream);
         r.mutable_expected()->set_state(EXPECTED_STATE_ANY);
         Event session = builders::Session(d.engagement, ledger::NewUuid(), "2025-06-01",
                                           ENGAGEMENT_METHOD_FOCUS_GROUP);
         session.set_organisation(org);
         *r.add_events() = session;
         return t.Call("LedgerService.AppendEvents", r);
       }},
      {"AppendStream", {"recorder"}, true,
       [](RpcTransport& t, const OrgData& d, const std::string& org) {
         AppendStreamRequest r;
         r.set_correlation_id("matrix");
         AppendEventsRequest& a = *r.mutable_append();
         a.set_stream(d.stream);
         a.mutable_expected()->set_state(EXPECTED_STATE_ANY);
         Event session = builders::Session(d.engagement, ledger::NewUuid(), "2025-06-01",
                                           ENGAGEMENT_METHOD_FOCUS_GROUP);
         session.set_organisation(org);
         *a.add_events() = session;
         return t.Call("LedgerService.AppendStream", r);
       }},
      {"ReadStream", {"auditor", "privacy_officer"}, true,
       [](RpcTransport& t, const OrgData& d, const std::string&) {
         ReadStreamRequest r;
         r.set_stream(d.stream);
         return t.Call("LedgerService.ReadStream", r);
       }},
      {"ReadLog", {"auditor", "privacy_officer"}, true,
       [](RpcTransport& t, const OrgData&, const std::string& org) {
         ReadLogRequest r;
         r.mutable_filter()->add_organisations(org);
         return t.Call("LedgerService.ReadLog", r);
       }},
      {"SubscribeLog", {"auditor", "privacy_officer"}, true,
       [](RpcTransport& t, const OrgData&, const std::string& org) {
         SubscribeLogRequest r;
         r.mutable_filter()->add_organisations(org);
         return t.Call("LedgerService.SubscribeLog", r);
       }},
      {"GetLedgerInfo", {"recorder", "reader", "auditor", "privacy_officer", "admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         return t.Call("LedgerService.GetLedgerInfo", GetLedgerInfoRequest());
       }},
      {"GetStreamInfo", {"recorder", "auditor", "privacy_officer"}, true,
       [](RpcTransport& t, const OrgData& d, const std::string&) {
         GetStreamInfoRequest r;
         r.set_stream(d.stream);
         return t.Call("LedgerService.GetStreamInfo", r);
       }},
      {"GetAssuranceReport", {"reader", "auditor"}, true,
       [](RpcTransport& t, const OrgData&, const std::string& org) {
         GetAssuranceReportRequest r;
         r.set_organisation(org);
         r.set_period_start("2025-04-01");
         r.set_period_end("2026-03-31");
         return t.Call("ReportService.GetAssuranceReport", r);
       }},
      {"GetAssuranceReport exact figures", {"auditor"}, true,
       [](RpcTransport& t, const OrgData&, const std::string& org) {
         GetAssuranceReportRequest r;
         r.set_organisation(org);
         r.set_period_start("2025-04-01");
         r.set_period_end("2026-03-31");
         r.set_exact_figures(true);
         return t.Call("ReportService.GetAssuranceReport", r);
       }},
      {"GetTraceability", {"reader", "auditor"}, true,
       [](RpcTransport& t, const OrgData&, const std::string& org) {
         GetTraceabilityRequest r;
         r.set_organisation(org);
         r.set_decision_id(ledger::NewUuid());  // none such: NOT_FOUND once allowed
         return t.Call("ReportService.GetTraceability", r);
       }},
      {"GetYouSaidWeDid", {"reader", "auditor"}, true,
       [](RpcTransport& t, const OrgData& d, const std::string& org) {
         GetYouSaidWeDidRequest r;
         r.set_organisation(org);
         r.set_engagement_id(d.engagement);
         return t.Call("ReportService.GetYouSaidWeDid", r);
       }},
      {"GetSessionSummary", {"reader", "auditor"}, true,
       [](RpcTransport& t, const OrgData&, const std::string& org) {
         GetSessionSummaryRequest r;
         r.set_organisation(org);
         r.set_session_id(ledger::NewUuid());  // none such: NOT_FOUND once allowed
         return t.Call("ReportService.GetSessionSummary", r);
       }},
      {"GetAnnualReport", {"reader", "auditor"}, true,
       [](RpcTransport& t, const OrgData&, const std::string& org) {
         GetAnnualReportRequest r;
         r.set_organisation(org);
         r.set_period_start("2025-04-01");
         r.set_period_end("2026-03-31");
         return t.Call("ReportService.GetAnnualReport", r);
       }},
      {"ListProjections", {"auditor", "admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         return t.Call("ReportService.ListProjections", ListProjectionsRequest());
       }},
      {"VerifyProjections", {"auditor", "admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         return t.Call("ReportService.VerifyProjections", VerifyProjectionsRequest());
       }},
      {"GetHealth", {"auditor", "admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         return t.Call("OperationsService.GetHealth", GetHealthRequest());
       }},
      {"RebuildProjection", {"admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         RebuildProjectionRequest r;
         r.set_name("evidence");
         return t.Call("ReportService.RebuildProjection", r);
       }},
      {"GetCheckpoint", {"recorder", "reader", "auditor", "privacy_officer", "admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         return t.Call("AuditService.GetCheckpoint", GetCheckpointRequest());
       }},
      {"SignCheckpoint", {"admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         return t.Call("AuditService.SignCheckpoint", SignCheckpointRequest());
       }},
      {"ListCheckpoints", {"auditor", "admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         return t.Call("AuditService.ListCheckpoints", ListCheckpointsRequest());
       }},
      {"GetInclusionProof", {"auditor"}, true,
       [](RpcTransport& t, const OrgData& d, const std::string&) {
         GetInclusionProofRequest r;
         r.set_event_id(d.event_id);
         return t.Call("AuditService.GetInclusionProof", r);
       }},
      {"GetConsistencyProof", {"auditor", "admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         GetConsistencyProofRequest r;
         r.set_old_size(1);
         return t.Call("AuditService.GetConsistencyProof", r);
       }},
      {"GetPublicKey", {"recorder", "reader", "auditor", "privacy_officer", "admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         return t.Call("AuditService.GetPublicKey", GetPublicKeyRequest());
       }},
      {"DisclosePersonalData", {"privacy_officer"}, true,
       [](RpcTransport& t, const OrgData& d, const std::string&) {
         DisclosePersonalDataRequest r;
         r.add_participant_ids(d.participant);
         r.set_purpose("role matrix test");
         return t.Call("PrivacyService.DisclosePersonalData", r);
       }},
      {"EraseParticipant", {"privacy_officer"}, true,
       [](RpcTransport& t, const OrgData& d, const std::string&) {
         EraseParticipantRequest r;
         r.set_participant_id(d.participant);  // idempotent: a second erasure is already_erased
         r.set_reason("role matrix test");
         return t.Call("PrivacyService.EraseParticipant", r);
       }},
      {"GetCaller", {"recorder", "reader", "auditor", "privacy_officer", "admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         return t.Call("PrivacyService.GetCaller", GetCallerRequest());
       }},
      {"CreateBackup", {"admin"}, false,
       [](RpcTransport& t, const OrgData&, const std::string&) {
         CreateBackupRequest r;
         r.set_directory(absl::StrCat(std::filesystem::temp_directory_path().string(),
                                      "/ledger-matrix-backup-", ledger::NewUuid()));
         grpc::Status status = t.Call("OperationsService.CreateBackup", r);
         std::error_code ignored;
         std::filesystem::remove_all(r.directory(), ignored);
         return status;
       }},
  };
  return *table;
}

// The same table, over gRPC and over the JSON API (one implementation behind both).
class RoleMatrixTransportTest : public RoleMatrixTest,
                                public ::testing::WithParamInterface<bool> {
 protected:
  // A caller with `token` (none when empty), over the transport under test.
  std::unique_ptr<RpcTransport> As(const std::string& token) {
    if (GetParam()) {
      return std::make_unique<JsonTransport>(ledger_->http_port(), ledger_->ca_file(), token);
    }
    return std::make_unique<GrpcTransport>(ledger_->Channel(token));
  }
};

INSTANTIATE_TEST_SUITE_P(Transports, RoleMatrixTransportTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "JsonApi" : "Grpc";
                         });

TEST_P(RoleMatrixTransportTest, EveryRoleMayDoExactlyWhatTheTableSaysForItsOwnOrganisationOnly) {
  int cells = 0;
  for (const std::string& role : kRoles) {
    std::unique_ptr<RpcTransport> caller = As(ledger_->Token(role + "@qwe"));
    for (const Rpc& rpc : Table()) {
      for (const char* org : {"QWE", "XYZ"}) {
        bool own = std::string(org) == "QWE";
        bool expect_allowed = rpc.allowed.count(role) > 0 && (own || !rpc.per_organisation);
        grpc::Status status = rpc.call(*caller, (*data_)[org], org);
        ++cells;
        if (expect_allowed) {
          // Allowed: served (GetTraceability of a decision that does not exist is NOT_FOUND).
          EXPECT_TRUE(status.ok() || ((rpc.name == "GetTraceability" ||
                                       rpc.name == "GetSessionSummary") &&
                                      status.error_code() == grpc::StatusCode::NOT_FOUND))
              << role << " x " << rpc.name << " x " << org << ": " << status.error_code() << " "
              << status.error_message();
        } else {
          EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << role << " x " << rpc.name << " x " << org << ": " << status.error_message();
          // Names what is missing, never the data.
          EXPECT_NE(status.error_message().find("role"), std::string::npos) << status.error_message();
          EXPECT_EQ(status.error_message().find("Test Person"), std::string::npos);
        }
      }
    }
  }
  EXPECT_EQ(cells, static_cast<int>(kRoles.size() * Table().size() * 2));
}

TEST_F(RoleMatrixTest, EveryRpcOfEveryServiceIsInTheTableAndHasExactlyOneHttpRoute) {
  std::set<std::string> named;
  for (const Rpc& rpc : Table()) named.insert(rpc.name.substr(0, rpc.name.find(' ')));
  int services = 0;
  for (const char* file : {"engagement/v1/ledger_service.proto",
                           "engagement/v1/report_service.proto", "engagement/v1/audit.proto",
                           "engagement/v1/privacy.proto", "engagement/v1/operations.proto"}) {
    const google::protobuf::FileDescriptor* parsed =
        google::protobuf::DescriptorPool::generated_pool()->FindFileByName(file);
    ASSERT_NE(parsed, nullptr) << file;
    for (int s = 0; s < parsed->service_count(); ++s, ++services) {
      const google::protobuf::ServiceDescriptor* service = parsed->service(s);
      for (int i = 0; i < service->method_count(); ++i) {
        EXPECT_EQ(named.count(service->method(i)->name()), 1u)
            << service->full_name() << "." << service->method(i)->name()
          << " is not in the role matrix: add who may call it";
        int routes = 0;
        for (const services::HttpRoute& route : services::AllHttpRoutes()) {
          routes += route.method() == service->method(i);
        }
        EXPECT_EQ(routes, 1) << service->method(i)->full_name()
                             << " needs one route in services/http_routes.cc";
      }
    }
  }
  EXPECT_EQ(services, 5);
}

TEST_P(RoleMatrixTransportTest, NoTokenIsUnauthenticatedAndAnUnknownIdentityMayDoNothing) {
  std::unique_ptr<RpcTransport> anonymous = As("");
  std::unique_ptr<RpcTransport> stranger = As(ledger_->Token("someone-else"));
  std::unique_ptr<RpcTransport> nobody = As(ledger_->Token("nobody"));  // known, no grants
  for (const Rpc& rpc : Table()) {
    grpc::Status status = rpc.call(*anonymous, (*data_)["QWE"], "QWE");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << rpc.name;
    status = rpc.call(*stranger, (*data_)["QWE"], "QWE");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << rpc.name;
    // Known to the policy but granted nothing: it may ask who it is, and nothing else.
    status = rpc.call(*nobody, (*data_)["QWE"], "QWE");
    EXPECT_EQ(status.error_code(), rpc.name == "GetCaller" ? grpc::StatusCode::OK
                                                           : grpc::StatusCode::PERMISSION_DENIED)
        << rpc.name << ": " << status.error_message();
  }
}

TEST_F(RoleMatrixTest, AnAuditorReadingTheWholeLogSeesOnlyItsOwnOrganisation) {
  Stubs auditor(ledger_->Channel(ledger_->Token("auditor@qwe")));
  grpc::ClientContext context;
  auto reader = auditor.ledger->ReadLog(&context, ReadLogRequest());
  ReadLogResponse response;
  int events = 0;
  while (reader->Read(&response)) {
    ++events;
    EXPECT_EQ(response.event().organisation(), "QWE") << response.event().position();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_GE(events, 2);
  // And the sealed personal data is all it sees of a participant.
  ReadLogRequest registrations;
  registrations.mutable_filter()->add_event_types("participant_registered");
  grpc::ClientContext context2;
  auto reader2 = auditor.ledger->ReadLog(&context2, registrations);
  while (reader2->Read(&response)) {
    EXPECT_FALSE(response.event().participant_registered().has_personal_data());
    EXPECT_TRUE(response.event().participant_registered().has_sealed_personal_data());
    EXPECT_EQ(response.event().SerializeAsString().find("Test Person"), std::string::npos);
  }
  ASSERT_TRUE(reader2->Finish().ok());
}

}  // namespace
