#include "services/http_routes.h"

#include <google/protobuf/descriptor.h>

#include "absl/strings/str_cat.h"

namespace services {

const google::protobuf::MethodDescriptor* HttpRoute::method() const {
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(rpc);
}

std::vector<std::string> HttpRoute::Variables() const {
  std::vector<std::string> names;
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open)) {
    size_t close = path.find('}', open);
    names.push_back(path.substr(open + 1, close - open - 1));
    open = close;
  }
  return names;
}

const std::vector<HttpRoute>& AllHttpRoutes() {
  static const auto* routes = new std::vector<HttpRoute>{
      // LedgerService: the event log.
      {"engagement.v1.LedgerService.AppendEvents", "POST", "/v1/streams/{stream}:append"},
      {"engagement.v1.LedgerService.ReadStream", "GET", "/v1/streams/{stream}/events",
       Continuation::kNextRevision},
      {"engagement.v1.LedgerService.GetStreamInfo", "GET", "/v1/streams/{stream}"},
      {"engagement.v1.LedgerService.ReadLog", "GET", "/v1/events", Continuation::kNextPosition},
      {"engagement.v1.LedgerService.SubscribeLog", "GET", "/v1/events:subscribe",
       Continuation::kNextPosition},
      {"engagement.v1.LedgerService.GetLedgerInfo", "GET", "/v1/ledger"},
      {"engagement.v1.LedgerService.AppendStream", "POST", "/v1/streams:appendStream"},
      // ReportService: what the read models answer.
      {"engagement.v1.ReportService.GetAssuranceReport", "GET",
       "/v1/organisations/{organisation}/assuranceReport"},
      {"engagement.v1.ReportService.GetTraceability", "GET",
       "/v1/organisations/{organisation}/traceability"},
      {"engagement.v1.ReportService.GetYouSaidWeDid", "GET",
       "/v1/organisations/{organisation}/engagements/{engagement_id}/youSaidWeDid"},
      {"engagement.v1.ReportService.GetSessionSummary", "GET",
       "/v1/organisations/{organisation}/sessions/{session_id}/summary"},
      {"engagement.v1.ReportService.GetAnnualReport", "GET",
       "/v1/organisations/{organisation}/annualReport"},
      {"engagement.v1.ReportService.ListProjections", "GET", "/v1/projections"},
      {"engagement.v1.ReportService.VerifyProjections", "POST", "/v1/projections:verify"},
      {"engagement.v1.ReportService.RebuildProjection", "POST", "/v1/projections/{name}:rebuild"},
      // AuditService: checkpoints and proofs.
      {"engagement.v1.AuditService.GetCheckpoint", "GET", "/v1/checkpoints/latest"},
      {"engagement.v1.AuditService.SignCheckpoint", "POST", "/v1/checkpoints:sign"},
      {"engagement.v1.AuditService.ListCheckpoints", "GET", "/v1/checkpoints"},
      {"engagement.v1.AuditService.GetInclusionProof", "GET", "/v1/proofs/inclusion"},
      {"engagement.v1.AuditService.GetConsistencyProof", "GET", "/v1/proofs/consistency"},
      {"engagement.v1.AuditService.GetPublicKey", "GET", "/v1/publicKey"},
      // PrivacyService: personal data, erasure, and who is calling.
      {"engagement.v1.PrivacyService.DisclosePersonalData", "POST", "/v1/participants:disclose"},
      {"engagement.v1.PrivacyService.EraseParticipant", "POST",
       "/v1/participants/{participant_id}:erase"},
      {"engagement.v1.PrivacyService.GetCaller", "GET", "/v1/caller"},
      // OperationsService: backups and health.
      {"engagement.v1.OperationsService.CreateBackup", "POST", "/v1/backups"},
      {"engagement.v1.OperationsService.GetHealth", "GET", "/v1/health"},
  };
  return *routes;
}

const std::vector<std::string>& PublicServices() {
  static const auto* services = new std::vector<std::string>{
      "engagement.v1.LedgerService", "engagement.v1.ReportService", "engagement.v1.AuditService",
      "engagement.v1.PrivacyService", "engagement.v1.OperationsService"};
  return *services;
}

namespace {

// Matches `path` against `pattern`; a variable takes one path segment, up to the pattern's next
// literal character (a variable at the end stops at '/').
bool Match(absl::string_view pattern, absl::string_view path,
           std::map<std::string, std::string>* variables) {
  size_t p = 0, s = 0;
  while (p < pattern.size()) {
    if (pattern[p] != '{') {
      if (s >= path.size() || path[s] != pattern[p]) return false;
      ++p, ++s;
      continue;
    }
    size_t close = pattern.find('}', p);
    std::string name(pattern.substr(p + 1, close - p - 1));
    p = close + 1;
    char stop = p < pattern.size() ? pattern[p] : '/';
    size_t end = s;
    while (end < path.size() && path[end] != stop && path[end] != '/') ++end;
    if (end == s) return false;  // a variable is never empty
    (*variables)[name] = std::string(path.substr(s, end - s));
    s = end;
  }
  return s == path.size();
}

}  // namespace

std::optional<RouteMatch> MatchHttpRoute(absl::string_view verb, absl::string_view path,
                                         bool* path_known) {
  *path_known = false;
  for (const HttpRoute& route : AllHttpRoutes()) {
    RouteMatch match;
    if (!Match(route.path, path, &match.variables)) continue;
    if (route.verb != verb) {
      *path_known = true;
      continue;
    }
    match.route = &route;
    return match;
  }
  return std::nullopt;
}

}  // namespace services
