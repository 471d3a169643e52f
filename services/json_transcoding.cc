#include "services/json_transcoding.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/grpc_status.h"

namespace services {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using Json = nlohmann::json;

const FieldDescriptor* FindField(const Descriptor& message, absl::string_view name) {
  const FieldDescriptor* field = message.FindFieldByName(std::string(name));
  return field != nullptr ? field : message.FindFieldByCamelcaseName(std::string(name));
}

// Sets the query parameter `key` = `value` into `object`, following the dotted path through
// `message`'s fields.
absl::Status SetQueryParameter(const Descriptor& message, absl::string_view key,
                               const std::string& value, Json* object) {
  const Descriptor* at = &message;
  Json* target = object;
  std::vector<absl::string_view> names = absl::StrSplit(key, '.');
  for (size_t i = 0; i < names.size(); ++i) {
    const FieldDescriptor* field = at == nullptr ? nullptr : FindField(*at, names[i]);
    if (field == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter ", Shown(key), ": the request has no such field"));
    }
    const bool last = i + 1 == names.size();
    const bool is_message = field->type() == FieldDescriptor::TYPE_MESSAGE &&
                            field->message_type()->file()->package() != "google.protobuf";
    if (field->is_map() || (field->is_repeated() && is_message)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "query parameter ", Shown(key), ": this field cannot be given in a query string"));
    }
    Json& slot = (*target)[field->name()];
    if (!last) {
      if (!is_message) {
        return absl::InvalidArgumentError(
            absl::StrCat("query parameter ", Shown(key), ": ", field->name(), " has no fields"));
      }
      if (!slot.is_object()) slot = Json::object();
      target = &slot;
      at = field->message_type();
      continue;
    }
    if (is_message) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter ", Shown(key), ": name one of its fields (",
                       field->name(), ".<field>)"));
    }
    Json leaf;
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      std::string lower = absl::AsciiStrToLower(value);
      if (lower == "true" || lower == "1") {
        leaf = true;
      } else if (lower == "false" || lower == "0") {
        leaf = false;
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("query parameter ", Shown(key), ": must be true or false"));
      }
    } else {
      leaf = value;  // protobuf's JSON parser takes numbers and enums as strings too
    }
    if (field->is_repeated()) {
      if (!slot.is_array()) slot = Json::array();
      slot.push_back(std::move(leaf));
    } else if (!slot.is_null()) {
      return absl::InvalidArgumentError(
          absl::StrCat("query parameter ", Shown(key), " is given more than once"));
    } else {
      slot = std::move(leaf);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> RequestFromHttp(
    const google::protobuf::MethodDescriptor& method, const HttpRequestParts& parts) {
  const Descriptor& type = *method.input_type();
  Json object = Json::object();
  if (parts.verb == "GET") {
    if (!parts.body.empty()) {
      return absl::InvalidArgumentError("a GET request has no body: give the fields in the query");
    }
    for (const auto& [key, value] : parts.query) {
      absl::Status set = SetQueryParameter(type, key, value, &object);
      if (!set.ok()) return set;
    }
  } else {
    if (!parts.query.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "query parameter ", Shown(parts.query.begin()->first),
          ": a POST request takes its fields in the JSON body, not the query string"));
    }
    if (!parts.body.empty()) {
      // Nested at most 64 deep: deeper JSON is refused before anything recurses over it.
      constexpr int kMaxDepth = 64;
      bool too_deep = false;
      auto depth_limit = [&too_deep](int depth, Json::parse_event_t, Json&) {
        if (depth > kMaxDepth) too_deep = true;
        return true;
      };
      try {
        object = Json::parse(parts.body, depth_limit);
      } catch (const Json::parse_error& error) {
        return absl::InvalidArgumentError(
            absl::StrCat("the body is not JSON (at byte ", error.byte, ")"));
      }
      if (too_deep) {
        return absl::InvalidArgumentError(
            absl::StrCat("the body is nested more than ", kMaxDepth, " deep"));
      }
      if (!object.is_object()) {
        return absl::InvalidArgumentError("the body must be a JSON object");
      }
    }
  }
  for (const auto& [name, value] : parts.path_variables) {
    const FieldDescriptor* field = type.FindFieldByName(name);
    if (field == nullptr) return absl::InternalError(absl::StrCat("route names no field ", name));
    for (const std::string& spelling : {field->name(), field->json_name()}) {
      auto given = object.find(spelling);
      if (given != object.end() && !(given->is_string() && *given == value)) {
        return absl::InvalidArgumentError(absl::StrCat(
            name, ": the body gives another value than the path ", Shown(value)));
      }
      if (given != object.end()) object.erase(given);
    }
    object[field->name()] = value;
  }
  std::unique_ptr<google::protobuf::Message> request(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(&type)->New());
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const std::string json = object.dump(-1, ' ', false, Json::error_handler_t::replace);
  auto parsed = google::protobuf::util::JsonStringToMessage(json, request.get(), options);
  if (!parsed.ok()) {
    // The parser's message names the field; the value it could not read is left out.
    return absl::InvalidArgumentError(absl::StrCat("request: ", WithoutValues(std::string(parsed.message()))));
  }
  return request;
}

bool IsValidMetadataValue(absl::string_view value) {
  for (unsigned char c : value) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

std::string WithoutValues(absl::string_view message) {
  const size_t at = message.find("invalid value");
  if (at == absl::string_view::npos) return std::string(message);
  const size_t type = message.find(" for type ", at);
  return absl::StrCat(message.substr(0, at), "invalid value (not shown)",
                      type == absl::string_view::npos ? "" : message.substr(type));
}

std::string MessageToJsonLine(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  auto printed = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!printed.ok()) return ErrorJson(absl::InternalError("the answer cannot be shown as JSON"));
  return out;
}

int HttpStatusOfCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kOk: return 200;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange: return 400;
    case absl::StatusCode::kUnauthenticated: return 401;
    case absl::StatusCode::kPermissionDenied: return 403;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted: return 409;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kCancelled: return 499;
    case absl::StatusCode::kUnimplemented: return 501;
    case absl::StatusCode::kUnavailable: return 503;
    case absl::StatusCode::kDeadlineExceeded: return 504;
    default: return 500;
  }
}

namespace {

Json StatusObject(const absl::Status& status) {
  return {{"code", HttpStatusOfCode(status.code())},
          {"status", absl::StatusCodeToString(status.code())},
          {"message", std::string(status.message())}};
}

}  // namespace

std::string ErrorJson(const absl::Status& status, int http_status) {
  Json error = {{"error", StatusObject(status)}};
  if (http_status != 0) error["error"]["code"] = http_status;
  return error.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string StreamEndJson(const absl::Status& status, const std::string& continuation_field,
                          uint64_t value) {
  Json end = StatusObject(status);
  if (!continuation_field.empty()) {
    end["continuation"] = {{continuation_field, std::to_string(value)}};
  }
  return Json{{"end", end}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace services
