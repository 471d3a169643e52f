// JSON transcoding: an HTTP request into the RPC's request message, and messages and statuses
// back into JSON, by the mapping protobuf defines for JSON (field names in lowerCamelCase or as
// in the .proto, 64-bit integers and bytes as strings, enums by name, Timestamps in RFC 3339).
//
// Where the request's fields come from (google.api.http conventions):
//   - the path's variables (http_routes.h) set the fields they name;
//   - a POST's body is the rest of the request message as a JSON object;
//   - a GET's query string sets fields by name, nested fields by dotted path
//     ("filter.organisations=QWE&as_of.position=10"), repeated fields by repeating the name.
// A field the message does not have, a value of the wrong type, a GET with a body, or a POST with
// a query string is INVALID_ARGUMENT naming the field or the parameter; nothing is called then.
// Thread safety: stateless functions.
#ifndef ENGAGEMENT_SERVICES_JSON_TRANSCODING_H_
#define ENGAGEMENT_SERVICES_JSON_TRANSCODING_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace google::protobuf {
class Message;
class MethodDescriptor;
}  // namespace google::protobuf

namespace services {

struct HttpRequestParts {
  std::string verb;
  std::map<std::string, std::string> path_variables;
  std::multimap<std::string, std::string> query;
  std::string body;
};

// The request message of `method`, filled from `parts`.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> RequestFromHttp(
    const google::protobuf::MethodDescriptor& method, const HttpRequestParts& parts);

// Whether `value` may go into gRPC metadata (the Authorization header's value): printable ASCII
// only. gRPC aborts the process on anything else, so such a value is refused (401) first.
bool IsValidMetadataValue(absl::string_view value);

// A parser's or the rules' message as a refusal may show it: protobuf's JSON parser repeats the
// value it could not read ("invalid value <value> for type ..."), which may be personal data;
// the value is left out.
std::string WithoutValues(absl::string_view message);

// The message as one line of JSON (no newline).
std::string MessageToJsonLine(const google::protobuf::Message& message);

// The HTTP status of a gRPC status code (as google.rpc.Code documents it: INVALID_ARGUMENT 400,
// UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404, ALREADY_EXISTS and ABORTED 409,
// RESOURCE_EXHAUSTED 429, UNAVAILABLE 503...).
int HttpStatusOfCode(absl::StatusCode code);

// {"error": {"code": <HTTP status>, "status": "INVALID_ARGUMENT", "message": "..."}}, the shape
// of Google's JSON APIs' errors. `http_status` other than 0 replaces the code's own (405).
std::string ErrorJson(const absl::Status& status, int http_status = 0);

// The last line of a streamed answer: {"end": {"code", "status", "message", "continuation":
// {<continuation_field>: "<value>"}}} (no continuation when the field is empty).
std::string StreamEndJson(const absl::Status& status, const std::string& continuation_field,
                          uint64_t value);

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_JSON_TRANSCODING_H_
