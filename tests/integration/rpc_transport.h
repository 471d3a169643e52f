// RpcTransport: calls an RPC of the public services by name, over gRPC or over the JSON API, and
// gives the answer's status as a grpc::Status either way, so that one table of calls (the role
// matrix) proves both transports refuse and serve exactly the same. A server-streaming call counts
// as served once its first message arrives (it is then cancelled). An answer that carries a
// refusal of its own (AppendStream's `refused`) counts as that refusal's status.
#ifndef ENGAGEMENT_TESTS_INTEGRATION_RPC_TRANSPORT_H_
#define ENGAGEMENT_TESTS_INTEGRATION_RPC_TRANSPORT_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "services/http_routes.h"

namespace testing_support {

class RpcTransport {
 public:
  virtual ~RpcTransport() = default;
  // `method` as "LedgerService.AppendEvents".
  virtual grpc::Status Call(const std::string& method, const google::protobuf::Message& request) = 0;

 protected:
  static const google::protobuf::MethodDescriptor* Find(const std::string& method) {
    return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
        "engagement.v1." + method);
  }
  // The status an answer carries in its `refused` field ({code, message}), or OK.
  static grpc::Status RefusalIn(const google::protobuf::Message& answer) {
    const google::protobuf::FieldDescriptor* field =
        answer.GetDescriptor()->FindFieldByName("refused");
    if (field == nullptr || !answer.GetReflection()->HasField(answer, field)) return grpc::Status::OK;
    const google::protobuf::Message& refused = answer.GetReflection()->GetMessage(answer, field);
    const google::protobuf::Reflection* r = refused.GetReflection();
    const google::protobuf::Descriptor* d = refused.GetDescriptor();
    return grpc::Status(static_cast<grpc::StatusCode>(r->GetInt32(refused, d->FindFieldByName("code"))),
                        r->GetString(refused, d->FindFieldByName("message")));
  }
};

// gRPC, through the generic stub (the bytes of the request, whatever its type).
class GrpcTransport : public RpcTransport {
 public:
  explicit GrpcTransport(std::shared_ptr<grpc::Channel> channel) : stub_(std::move(channel)) {}

  grpc::Status Call(const std::string& method, const google::protobuf::Message& request) override {
    const google::protobuf::MethodDescriptor* descriptor = Find(method);
    if (descriptor == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "no " + method);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::CompletionQueue cq;
    auto call = stub_.PrepareCall(
        &context, absl::StrCat("/", descriptor->service()->full_name(), "/", descriptor->name()),
        &cq);
    auto wait = [&cq] {
      void* tag;
      bool ok = false;
      cq.Next(&tag, &ok);
      return ok;
    };
    std::string bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    grpc::ByteBuffer answer;
    bool got_message = false;
    call->StartCall(this);
    if (wait()) {
      call->Write(buffer, this);
      if (wait()) {
        call->WritesDone(this);
        if (wait()) {
          call->Read(&answer, this);
          got_message = wait();
        }
      }
    }
    if (got_message && descriptor->server_streaming()) context.TryCancel();
    grpc::Status status;
    call->Finish(&status, this);
    wait();
    cq.Shutdown();
    void* tag;
    bool ok;
    while (cq.Next(&tag, &ok)) {
    }
    if (got_message && descriptor->server_streaming()) {
      std::unique_ptr<google::protobuf::Message> message(
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(descriptor->output_type())
              ->New());
      std::vector<grpc::Slice> slices;
      std::string bytes;
      if (answer.Dump(&slices).ok()) {
        for (const grpc::Slice& s : slices) {
          bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
        }
      }
      message->ParseFromString(bytes);
      return RefusalIn(*message);
    }
    return status;
  }

 private:
  grpc::GenericStub stub_;
};

// The JSON API over HTTPS, at the route http_routes.h gives the method.
class JsonTransport : public RpcTransport {
 public:
  JsonTransport(int port, const std::string& ca_file, const std::string& token)
      : client_("127.0.0.1", port), token_(token) {
    client_.set_ca_cert_path(ca_file.c_str());
    client_.enable_server_certificate_verification(true);
    client_.set_read_timeout(30, 0);
  }

  grpc::Status Call(const std::string& method, const google::protobuf::Message& request) override {
    const services::HttpRoute* route = nullptr;
    for (const services::HttpRoute& r : services::AllHttpRoutes()) {
      if (r.rpc == "engagement.v1." + method) route = &r;
    }
    if (route == nullptr) return grpc::Status(grpc::StatusCode::INTERNAL, "no route for " + method);
    std::string json;
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(request, &json, options);
    nlohmann::json fields = nlohmann::json::parse(json);
    std::string path = route->path;
    for (const std::string& variable : route->Variables()) {
      std::string value = fields.value(variable, "");
      fields.erase(variable);
      path.replace(path.find("{" + variable + "}"), variable.size() + 2, value);
    }
    httplib::Headers headers;
    if (!token_.empty()) headers.emplace("Authorization", "Bearer " + token_);
    std::string body;
    bool first_line = false;
    auto receive = [&](const char* data, size_t length) {
      body.append(data, length);
      if (body.find('\n') == std::string::npos) return true;
      first_line = true;
      return !route->method()->server_streaming();  // a stream: its first line is enough
    };
    int status_code = 0;
    auto on_response = [&](const httplib::Response& response) {
      status_code = response.status;
      return true;
    };
    if (route->verb == "GET") {
      httplib::Params query;
      Flatten("", fields, &query);
      path = httplib::append_query_params(path, query);
      client_.Get(path.c_str(), headers, on_response, receive);
    } else if (route->method()->client_streaming()) {  // one request per line
      httplib::Result result =
          client_.Post(path.c_str(), headers, fields.dump() + "\n", "application/x-ndjson");
      if (result) {
        status_code = result->status;
        body = result->body;
        first_line = true;
      }
    } else {
      httplib::Result result = client_.Post(path.c_str(), headers, fields.dump(), "application/json");
      if (result) {
        status_code = result->status;
        body = result->body;
        first_line = true;
      }
    }
    if (status_code == 0) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "no HTTP answer");
    if (status_code == 200) {
      if (route->method()->server_streaming() && first_line &&
          body.rfind("{\"end\"", 0) == 0) {  // only the end line: the stream's own status
        return StatusOfEnd(body);
      }
      // The first line as the answer's message, for a refusal it may carry.
      std::unique_ptr<google::protobuf::Message> answer(
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(route->method()->output_type())
              ->New());
      google::protobuf::util::JsonParseOptions lenient;
      lenient.ignore_unknown_fields = true;
      (void)google::protobuf::util::JsonStringToMessage(body.substr(0, body.find('\n')),
                                                        answer.get(), lenient);
      return RefusalIn(*answer);
    }
    nlohmann::json error = nlohmann::json::parse(body, nullptr, false);
    if (!error.is_object() || !error.contains("error")) {
      return grpc::Status(grpc::StatusCode::UNKNOWN, absl::StrCat("HTTP ", status_code, ": ", body));
    }
    return grpc::Status(CodeOf(error["error"].value("status", "")),
                        error["error"].value("message", ""));
  }

 private:
  static grpc::StatusCode CodeOf(const std::string& name) {
    for (int code = 0; code <= 16; ++code) {
      if (absl::StatusCodeToString(static_cast<absl::StatusCode>(code)) == name) {
        return static_cast<grpc::StatusCode>(code);
      }
    }
    return grpc::StatusCode::UNKNOWN;
  }
  static grpc::Status StatusOfEnd(const std::string& body) {
    nlohmann::json end = nlohmann::json::parse(body.substr(0, body.find('\n')), nullptr, false);
    if (!end.is_object() || !end.contains("end")) return grpc::Status::OK;
    return grpc::Status(CodeOf(end["end"].value("status", "")), end["end"].value("message", ""));
  }
  // {"a": {"b": 1}, "c": [x, y]} -> a.b=1, c=x, c=y
  static void Flatten(const std::string& prefix, const nlohmann::json& value,
                      httplib::Params* query) {
    if (value.is_object()) {
      for (auto it = value.begin(); it != value.end(); ++it) {
        Flatten(prefix.empty() ? it.key() : prefix + "." + it.key(), it.value(), query);
      }
    } else if (value.is_array()) {
      for (const auto& item : value) Flatten(prefix, item, query);
    } else if (value.is_string()) {
      query->emplace(prefix, value.get<std::string>());
    } else {
      query->emplace(prefix, value.dump());
    }
  }

  httplib::SSLClient client_;
  std::string token_;
};

}  // namespace testing_support

#endif  // ENGAGEMENT_TESTS_INTEGRATION_RPC_TRANSPORT_H_
