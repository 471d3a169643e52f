// ledgerctl whoami, participant show, participant erase: the privacy service's commands.
#include <cstdio>

#include "absl/strings/str_join.h"
#include "cli/ctl_commands.h"
#include "engagement/v1/privacy.grpc.pb.h"
#include "google/protobuf/util/json_util.h"

namespace ctl {
namespace {

using engagement::v1::PrivacyService;

std::string ToJson(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, print);
  return out;
}

}  // namespace

int WhoAmI(const Options& options) {
  auto stub = PrivacyService::NewStub(Channel(options));
  grpc::ClientContext context;
  SetDeadline(&context, options);
  engagement::v1::GetCallerResponse response;
  grpc::Status status = stub->GetCaller(&context, engagement::v1::GetCallerRequest(), &response);
  if (!status.ok()) return Report(status, options);
  std::printf("%s\n", ToJson(response).c_str());
  return kExitOk;
}

int ParticipantCommand(const std::string& what, const std::vector<std::string>& ids,
                       const std::string& purpose, const std::string& reason,
                       const Options& options) {
  auto stub = PrivacyService::NewStub(Channel(options));
  grpc::ClientContext context;
  SetDeadline(&context, options);
  if (what == "show") {
    if (ids.empty() || purpose.empty()) {
      std::fprintf(stderr, "ledgerctl participant show ID [ID..] --purpose=\"why\"\n");
      return kExitUsage;
    }
    engagement::v1::DisclosePersonalDataRequest request;
    for (const std::string& id : ids) request.add_participant_ids(id);
    request.set_purpose(purpose);
    engagement::v1::DisclosePersonalDataResponse response;
    grpc::Status status = stub->DisclosePersonalData(&context, request, &response);
    if (!status.ok()) return Report(status, options);
    for (const auto& person : response.participants()) std::printf("%s\n", ToJson(person).c_str());
    std::fprintf(stderr, "ledgerctl: this disclosure is recorded in the log at position %llu\n",
                 static_cast<unsigned long long>(response.disclosure_position()));
    return kExitOk;
  }
  if (what == "erase") {
    if (ids.size() != 1 || reason.empty()) {
      std::fprintf(stderr, "ledgerctl participant erase ID --reason=\"why\"\n");
      return kExitUsage;
    }
    engagement::v1::EraseParticipantRequest request;
    request.set_participant_id(ids[0]);
    request.set_reason(reason);
    engagement::v1::EraseParticipantResponse response;
    grpc::Status status = stub->EraseParticipant(&context, request, &response);
    if (!status.ok()) return Report(status, options);
    if (response.already_erased()) {
      std::printf("participant %s was already erased\n", ids[0].c_str());
    } else {
      std::printf("participant %s erased; the erasure is recorded at position %llu\n",
                  ids[0].c_str(), static_cast<unsigned long long>(response.erasure_position()));
    }
    return kExitOk;
  }
  std::fprintf(stderr, "ledgerctl participant: show or erase\n");
  return kExitUsage;
}

}  // namespace ctl
