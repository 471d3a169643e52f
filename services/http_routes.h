// HttpRoutes: where each RPC of the public services is found over HTTP/JSON, in the conventions
// of google.api.http (AIP-127): a verb and a path template whose {variables} name fields of the
// request message; the rest of the request comes from the JSON body (POST) or the query string
// (GET). The table is the whole mapping: the JSON API (json_api.h) serves it and the OpenAPI
// description (openapi.h) describes it, so the two cannot disagree.
//
// Every RPC of every public service has exactly one route (json_api_test checks it against the
// descriptors), so a new RPC without a route fails the tests rather than going missing.
#ifndef ENGAGEMENT_SERVICES_HTTP_ROUTES_H_
#define ENGAGEMENT_SERVICES_HTTP_ROUTES_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace google::protobuf {
class MethodDescriptor;
}

namespace services {

// How a server-streaming read tells the caller where to carry on: the request field to send
// again, and the field of each response it is computed from.
enum class Continuation {
  kNone,            // not a resumable read
  kNextPosition,    // from_position = last event's position + 1 (ReadLog, SubscribeLog)
  kNextRevision,    // from_revision = last event's stream_revision +/- 1 (ReadStream)
};

struct HttpRoute {
  // The RPC's full name, as "engagement.v1.LedgerService.AppendEvents".
  std::string rpc;
  // "GET" or "POST".
  std::string verb;
  // As "/v1/streams/{stream}:append"; a variable matches one path segment.
  std::string path;
  Continuation continuation = Continuation::kNone;

  const google::protobuf::MethodDescriptor* method() const;
  // The variables' names, in order.
  std::vector<std::string> Variables() const;
};

// Every route, in the order of the services' files.
const std::vector<HttpRoute>& AllHttpRoutes();

// The route that serves `verb` `path` (percent-decoded), with its variables' values; nullopt when
// none does. `path_known` is set when some route has that path with another verb (405, not 404).
struct RouteMatch {
  const HttpRoute* route = nullptr;
  std::map<std::string, std::string> variables;
};
std::optional<RouteMatch> MatchHttpRoute(absl::string_view verb, absl::string_view path,
                                         bool* path_known);

// The public services' full names.
const std::vector<std::string>& PublicServices();

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_HTTP_ROUTES_H_
