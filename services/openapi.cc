#include "services/openapi.h"

#include <google/protobuf/descriptor.h>

#include <nlohmann/json.hpp>
#include <set>

#include <google/protobuf/descriptor.pb.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "services/http_routes.h"

namespace services {

std::string_view ContractDescriptorSet();  // contract_descriptors.cc (generated)

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using Json = nlohmann::json;

// The .proto comments, looked up by full name in a pool built from the contract's descriptor
// set (the generated pool holds no source info).
class Comments {
 public:
  Comments() {
    google::protobuf::FileDescriptorSet set;
    std::string_view bytes = ContractDescriptorSet();
    if (!set.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
    for (const google::protobuf::FileDescriptorProto& file : set.file()) pool_.BuildFile(file);
  }
  std::string Of(const Descriptor& type) const { return Text(pool_.FindMessageTypeByName(type.full_name())); }
  std::string Of(const FieldDescriptor& field) const {
    return Text(pool_.FindFieldByName(field.full_name()));
  }
  std::string Of(const google::protobuf::MethodDescriptor& method) const {
    return Text(pool_.FindMethodByName(method.full_name()));
  }
  std::string Of(const google::protobuf::EnumDescriptor& type) const {
    return Text(pool_.FindEnumTypeByName(type.full_name()));
  }

 private:
  template <typename D>
  static std::string Text(const D* descriptor) {
    google::protobuf::SourceLocation location;
    if (descriptor == nullptr || !descriptor->GetSourceLocation(&location)) return "";
    std::string text;
    for (absl::string_view line : absl::StrSplit(location.leading_comments, '\n')) {
      line = absl::StripAsciiWhitespace(line);
      if (line.empty()) continue;
      absl::StrAppend(&text, text.empty() ? "" : " ", line);
    }
    return text;
  }
  google::protobuf::DescriptorPool pool_;
};

const Comments& ContractComments() {
  static const auto* comments = new Comments();
  return *comments;
}

// Adds "description" when the .proto has a comment.
template <typename D>
void Describe(const D& descriptor, nlohmann::json* schema) {
  std::string text = ContractComments().Of(descriptor);
  if (!text.empty() && !schema->contains("$ref")) (*schema)["description"] = text;
}

bool IsWellKnown(const Descriptor& type) { return type.file()->package() == "google.protobuf"; }

Json WellKnownSchema(const Descriptor& type) {
  if (type.full_name() == "google.protobuf.Timestamp") {
    return {{"type", "string"}, {"format", "date-time"}};
  }
  if (type.full_name() == "google.protobuf.Duration") {
    return {{"type", "string"}, {"description", "seconds with an \"s\" suffix, as \"3.5s\""}};
  }
  return {{"type", "object"}};
}

class SchemaWriter {
 public:
  explicit SchemaWriter(Json* schemas) : schemas_(schemas) {}

  // A reference to `type`'s schema, written once.
  Json Ref(const Descriptor& type) {
    if (IsWellKnown(type)) return WellKnownSchema(type);
    if (written_.insert(type.full_name()).second) {
      Json properties = Json::object();
      for (int i = 0; i < type.field_count(); ++i) {
        const FieldDescriptor& field = *type.field(i);
        Json schema = FieldSchema(field);
        if (schema.contains("$ref")) schema = {{"allOf", Json::array({schema})}};
        Describe(field, &schema);
        properties[field.json_name()] = schema;
      }
      Json object = {{"type", "object"}, {"properties", properties}};
      Describe(type, &object);
      (*schemas_)[type.full_name()] = object;
    }
    return {{"$ref", absl::StrCat("#/components/schemas/", type.full_name())}};
  }

  Json ScalarSchema(const FieldDescriptor& field) {
    switch (field.cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return {{"type", "integer"}, {"format", "int32"}};
      case FieldDescriptor::CPPTYPE_UINT32:
        return {{"type", "integer"}, {"format", "int64"}, {"minimum", 0}};
      case FieldDescriptor::CPPTYPE_INT64:
        return {{"type", "string"}, {"format", "int64"}};
      case FieldDescriptor::CPPTYPE_UINT64:
        return {{"type", "string"}, {"format", "uint64"}};
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return {{"type", "number"}, {"format", "double"}};
      case FieldDescriptor::CPPTYPE_FLOAT:
        return {{"type", "number"}, {"format", "float"}};
      case FieldDescriptor::CPPTYPE_BOOL:
        return {{"type", "boolean"}};
      case FieldDescriptor::CPPTYPE_ENUM: {
        Json values = Json::array();
        for (int i = 0; i < field.enum_type()->value_count(); ++i) {
          values.push_back(field.enum_type()->value(i)->name());
        }
        return {{"type", "string"}, {"enum", values}};
      }
      case FieldDescriptor::CPPTYPE_STRING:
        if (field.type() == FieldDescriptor::TYPE_BYTES) {
          return {{"type", "string"}, {"format", "byte"}};
        }
        return {{"type", "string"}};
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return Ref(*field.message_type());
    }
    return Json::object();
  }

  Json FieldSchema(const FieldDescriptor& field) {
    if (field.is_map()) {
      return {{"type", "object"},
              {"additionalProperties", ScalarSchema(*field.message_type()->map_value())}};
    }
    Json one = ScalarSchema(field);
    if (field.is_repeated()) return {{"type", "array"}, {"items", one}};
    return one;
  }

 private:
  Json* schemas_;
  std::set<std::string> written_;
};

// The query parameters of a GET: every field that a query string can set (json_transcoding.h),
// by dotted path, except those the path gives.
void QueryParameters(const Descriptor& type, const std::string& prefix,
                     const std::set<std::string>& in_path, SchemaWriter& writer, int depth,
                     Json* parameters) {
  for (int i = 0; i < type.field_count(); ++i) {
    const FieldDescriptor& field = *type.field(i);
    const std::string name = prefix + field.name();
    if (in_path.count(name) > 0 || field.is_map()) continue;
    const bool is_message =
        field.type() == FieldDescriptor::TYPE_MESSAGE && !IsWellKnown(*field.message_type());
    if (is_message) {
      if (!field.is_repeated() && depth < 3) {
        QueryParameters(*field.message_type(), name + ".", in_path, writer, depth + 1,
                        parameters);
      }
      continue;
    }
    Json parameter = {{"name", name}, {"in", "query"}, {"required", false},
                      {"schema", writer.FieldSchema(field)}};
    Describe(field, &parameter);
    if (field.is_repeated()) parameter["explode"] = true;
    parameters->push_back(parameter);
  }
}

}  // namespace

std::string OpenApiDocument() {
  Json schemas = Json::object();
  SchemaWriter writer(&schemas);
  schemas["Error"] = {
      {"type", "object"},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"properties",
           {{"code", {{"type", "integer"}, {"description", "The HTTP status."}}},
            {"status", {{"type", "string"}, {"description", "The gRPC status code's name."}}},
            {"message", {{"type", "string"}, {"description", "What was wrong, in words."}}}}}}}}}};
  Json paths = Json::object();
  for (const HttpRoute& route : AllHttpRoutes()) {
    const google::protobuf::MethodDescriptor* method = route.method();
    if (method == nullptr) continue;
    const std::string service = method->service()->name();
    Json parameters = Json::array();
    std::set<std::string> in_path;
    for (const std::string& variable : route.Variables()) {
      in_path.insert(variable);
      Json parameter = {{"name", variable}, {"in", "path"}, {"required", true},
                        {"schema", {{"type", "string"}}}};
      if (const FieldDescriptor* field = method->input_type()->FindFieldByName(variable)) {
        Describe(*field, &parameter);
      }
      parameters.push_back(parameter);
    }
    Json operation = {{"operationId", absl::StrCat(service, "_", method->name())},
                      {"tags", {service}},
                      {"summary", absl::StrCat(method->service()->full_name(), ".",
                                               method->name())}};
    Describe(*method, &operation);
    if (route.verb == "GET") {
      QueryParameters(*method->input_type(), "", in_path, writer, 0, &parameters);
    } else {
      if (method->client_streaming()) {
        operation["requestBody"] = {
            {"required", true},
            {"description", "One request per line (newline-delimited JSON)."},
            {"content",
             {{"application/x-ndjson", {{"schema", writer.Ref(*method->input_type())}}}}}};
      } else {
        operation["requestBody"] = {
            {"required", false},
            {"content", {{"application/json", {{"schema", writer.Ref(*method->input_type())}}}}}};
      }
    }
    operation["parameters"] = parameters;
    Json answer = writer.Ref(*method->output_type());
    if (method->server_streaming()) {
      operation["responses"]["200"] = {
          {"description",
           "Newline-delimited JSON: one message per line, then a last line "
           "{\"end\": {\"code\", \"status\", \"message\", \"continuation\"}}."},
          {"content", {{"application/x-ndjson", {{"schema", answer}}}}}};
    } else {
      operation["responses"]["200"] = {{"description", "The answer."},
                                       {"content", {{"application/json", {{"schema", answer}}}}}};
    }
    operation["responses"]["default"] = {
        {"description", "A refusal: the gRPC status as its HTTP code, with the message."},
        {"content", {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    paths[route.path][absl::AsciiStrToLower(route.verb)] = operation;
  }
  Json document = {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "Engagement ledger JSON API"},
        {"version", "v1"},
        {"description",
         "Every RPC of the engagement.v1 services over HTTP, by protobuf's JSON mapping. "
         "The same bearer tokens, roles and errors as gRPC (docs/json-api.md)."}}},
      {"security", Json::array({{{"bearerAuth", Json::array()}}})},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"bearerAuth", {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT"}}}}},
        {"schemas", schemas}}}};
  return document.dump(1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace services
