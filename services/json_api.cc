#include "services/json_api.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <chrono>
#include <deque>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/http_routes.h"
#include "services/json_transcoding.h"
#include "services/openapi.h"

namespace services {
namespace {

constexpr auto kKeepAliveAfter = std::chrono::seconds(15);
// Requests in one body of a client stream (AppendStream) at most.
constexpr size_t kMaxStreamRequests = 100000;
// Requests of a client stream written before an answer is taken for each further one (below the
// server's window of appends in flight, append_stream.h).
constexpr size_t kStreamWindow = 128;
// A unary call's deadline: as long as the longest as-of report may take.
constexpr auto kUnaryDeadline = std::chrono::minutes(10);

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

void RespondError(const absl::Status& status, httplib::Response& response) {
  response.status = HttpStatusOfCode(status.code());
  if (status.code() == absl::StatusCode::kUnauthenticated) {
    response.set_header("WWW-Authenticate", "Bearer");
  }
  response.set_content(ErrorJson(status) + "\n", "application/json");
}

}  // namespace

// One call of a gRPC method over the in-process channel, driven step by step on its own
// completion queue (so that a streaming answer can be read a message at a time, from whichever
// worker thread httplib gives the next chunk to).
class JsonApi::Call {
 public:
  Call(const std::shared_ptr<grpc::Channel>& channel, const HttpRoute& route)
      : stub_(channel), route_(route) {}
  ~Call() {
    if (started_ && !finished_) {
      context_.TryCancel();
      Finish().IgnoreError();
    }
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  // Starts the call with one request (the last one the client sends).
  absl::Status Start(const std::string& authorization, const google::protobuf::Message& request,
                     bool streaming) {
    absl::Status opened = Open(authorization, request, streaming);
    if (opened.ok()) opened = Write(request);
    if (opened.ok()) opened = WritesDone();
    return opened;
  }

  // Starts the call; `request` is kept for the continuation (its first request, for a stream of
  // them). Then Write() each request and WritesDone().
  absl::Status Open(const std::string& authorization, const google::protobuf::Message& request,
                    bool streaming) {
    if (!authorization.empty()) context_.AddMetadata("authorization", authorization);
    if (!streaming) context_.set_deadline(std::chrono::system_clock::now() + kUnaryDeadline);
    const google::protobuf::MethodDescriptor* method = route_.method();
    request_.reset(request.New());
    request_->CopyFrom(request);
    call_ = stub_.PrepareCall(&context_,
                              absl::StrCat("/", method->service()->full_name(), "/", method->name()),
                              &cq_);
    call_->StartCall(Tag());
    started_ = true;
    if (!Wait()) return Finish();
    return absl::OkStatus();
  }

  absl::Status Write(const google::protobuf::Message& request) {
    std::string bytes = request.SerializeAsString();
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    call_->Write(buffer, Tag());
    if (!Wait()) return Finish();
    return absl::OkStatus();
  }

  absl::Status WritesDone() {
    call_->WritesDone(Tag());
    if (!Wait()) return Finish();
    return absl::OkStatus();
  }

  // The next response message; nullptr when the call has ended (then Finish() says how).
  // `timeout` elapsed without a message: sets *timed_out and returns nullptr.
  std::unique_ptr<google::protobuf::Message> Read(std::chrono::seconds timeout, bool* timed_out) {
    *timed_out = false;
    if (!reading_) {
      call_->Read(&incoming_, Tag());
      reading_ = true;
    }
    void* tag;
    bool ok = false;
    auto deadline = std::chrono::system_clock::now() + timeout;
    switch (cq_.AsyncNext(&tag, &ok, deadline)) {
      case grpc::CompletionQueue::TIMEOUT:
        *timed_out = true;
        return nullptr;
      case grpc::CompletionQueue::SHUTDOWN:
        return nullptr;
      case grpc::CompletionQueue::GOT_EVENT:
        break;
    }
    reading_ = false;
    if (!ok) return nullptr;
    std::vector<grpc::Slice> slices;
    std::unique_ptr<google::protobuf::Message> message(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(route_.method()->output_type())
            ->New());
    std::string bytes;
    if (incoming_.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    if (!message->ParseFromString(bytes)) {
      context_.TryCancel();
      return nullptr;
    }
    return message;
  }

  absl::Status Finish() {
    if (finished_) return status_;
    if (reading_) {  // a read still in flight completes (false) once the call is cancelled
      context_.TryCancel();
      Wait();
      reading_ = false;
    }
    grpc::Status status;
    call_->Finish(&status, Tag());
    Wait();
    finished_ = true;
    status_ = FromGrpc(status);
    return status_;
  }

  void Cancel() { context_.TryCancel(); }
  const google::protobuf::Message& request() const { return *request_; }

 private:
  void* Tag() { return this; }
  bool Wait() {
    void* tag;
    bool ok = false;
    return cq_.Next(&tag, &ok) && ok;
  }

  grpc::GenericStub stub_;
  const HttpRoute& route_;
  grpc::ClientContext context_;
  grpc::CompletionQueue cq_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  std::unique_ptr<google::protobuf::Message> request_;
  grpc::ByteBuffer incoming_;
  bool started_ = false;
  bool reading_ = false;
  bool finished_ = false;
  absl::Status status_;
};

namespace {

// The last event a read's message carries: its `event`, or the last of its `events` (a list, or
// a batch holding one) or of its `entries`; nullptr when none.
const google::protobuf::Message* LastEventOf(const google::protobuf::Message& message) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  const google::protobuf::Descriptor* type = message.GetDescriptor();
  if (const auto* field = type->FindFieldByName("event");
      field != nullptr && reflection->HasField(message, field)) {
    return &reflection->GetMessage(message, field);
  }
  for (const char* name : {"events", "entries"}) {
    const google::protobuf::FieldDescriptor* field = type->FindFieldByName(name);
    if (field == nullptr || field->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) {
      continue;
    }
    if (field->is_repeated()) {
      const int size = reflection->FieldSize(message, field);
      if (size == 0) continue;
      const google::protobuf::Message& item = reflection->GetRepeatedMessage(message, field, size - 1);
      return item.GetDescriptor()->full_name() == "engagement.v1.Event" ? &item : LastEventOf(item);
    }
    if (reflection->HasField(message, field)) {
      return LastEventOf(reflection->GetMessage(message, field));
    }
  }
  return nullptr;
}

// The query parameter that resumes a streaming read after `last` (empty name when none does).
std::pair<std::string, uint64_t> ContinuationOf(Continuation kind,
                                                const google::protobuf::Message& request,
                                                const google::protobuf::Message* last) {
  if (kind == Continuation::kNone || last == nullptr) return {};
  const google::protobuf::Message* last_event = LastEventOf(*last);
  if (last_event == nullptr) return {};
  const google::protobuf::Message& event = *last_event;
  const google::protobuf::Reflection* reflection = event.GetReflection();
  const google::protobuf::Descriptor* type = event.GetDescriptor();
  if (kind == Continuation::kNextPosition) {
    return {"fromPosition", reflection->GetUInt64(event, type->FindFieldByName("position")) + 1};
  }
  uint64_t revision = reflection->GetUInt64(event, type->FindFieldByName("stream_revision"));
  const google::protobuf::FieldDescriptor* direction =
      request.GetDescriptor()->FindFieldByName("direction");
  bool backward = direction != nullptr &&
                  request.GetReflection()->GetEnum(request, direction)->name().find("BACKWARD") !=
                      std::string::npos;
  if (backward && revision == 0) return {};
  return {"fromRevision", backward ? revision - 1 : revision + 1};
}

}  // namespace

JsonApi::JsonApi(std::shared_ptr<grpc::Channel> channel, int max_streams)
    : channel_(std::move(channel)),
      max_streams_(max_streams),
      open_streams_(std::make_shared<std::atomic<int>>(0)),
      openapi_(OpenApiDocument()) {}

JsonApi::~JsonApi() = default;

void JsonApi::Register(httplib::Server& http) {
  http.Get("/v1/openapi.json", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(openapi_, "application/json");
  });
  auto serve = [this](const httplib::Request& request, httplib::Response& response) {
    Serve(request, response);
  };
  http.Get("/v1/.*", serve);
  http.Post("/v1/.*", serve);
}

void JsonApi::Serve(const httplib::Request& request, httplib::Response& response) {
  bool path_known = false;
  std::optional<RouteMatch> match = MatchHttpRoute(request.method, request.path, &path_known);
  if (!match.has_value()) {
    if (path_known) {
      response.status = 405;
      response.set_content(
          ErrorJson(absl::InvalidArgumentError(absl::StrCat(
              request.method, " is not allowed here; see /v1/openapi.json")), 405) + "\n",
          "application/json");
      return;
    }
    RespondError(absl::NotFoundError("no such resource; see /v1/openapi.json"), response);
    return;
  }
  const HttpRoute& route = *match->route;
  const std::string authorization = request.get_header_value("Authorization");
  if (!IsValidMetadataValue(authorization)) {
    return RespondError(absl::UnauthenticatedError(
                            "the Authorization header holds characters a token never has"),
                        response);
  }
  HttpRequestParts parts;
  parts.verb = request.method;
  parts.path_variables = match->variables;
  // A POST's fields are in its body (whatever its Content-Type says): httplib would have parsed a
  // form-encoded body into params, so only a query string in the target counts there.
  if (request.method == "GET") {
    parts.query.insert(request.params.begin(), request.params.end());
  } else if (size_t q = request.target.find('?'); q != std::string::npos) {
    parts.query.emplace(request.target.substr(q + 1), "");
  }
  parts.body = request.body;
  // A stream of requests (AppendStream): one JSON object per line of the body, each checked
  // before anything is called.
  std::vector<std::unique_ptr<google::protobuf::Message>> requests;
  if (route.method()->client_streaming()) {
    if (!parts.query.empty()) {
      return RespondError(absl::InvalidArgumentError(
                              "this call takes its requests as JSON lines in the body only"),
                          response);
    }
    size_t line_number = 0;
    parts.body.clear();  // each line is one request's body
    for (absl::string_view line : absl::StrSplit(request.body, '\n', absl::SkipWhitespace())) {
      ++line_number;
      if (line_number > kMaxStreamRequests) {
        return RespondError(absl::InvalidArgumentError(absl::StrCat(
                                "at most ", kMaxStreamRequests,
                                " requests in one body: send the rest in another")),
                            response);
      }
      HttpRequestParts one = parts;
      one.body = std::string(line);
      absl::StatusOr<std::unique_ptr<google::protobuf::Message>> parsed =
          RequestFromHttp(*route.method(), one);
      if (!parsed.ok()) {
        return RespondError(absl::InvalidArgumentError(absl::StrCat(
                                "line ", line_number, ": ", parsed.status().message())),
                            response);
      }
      requests.push_back(*std::move(parsed));
    }
    if (requests.empty()) {
      return RespondError(absl::InvalidArgumentError("the body holds no request (one per line)"),
                          response);
    }
  } else {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
        RequestFromHttp(*route.method(), parts);
    if (!message.ok()) return RespondError(message.status(), response);
    requests.push_back(*std::move(message));
  }
  const std::unique_ptr<google::protobuf::Message>& message = requests.front();

  const bool streaming = route.method()->server_streaming();
  if (streaming && open_streams_->fetch_add(1) >= max_streams_) {
    open_streams_->fetch_sub(1);
    return RespondError(absl::ResourceExhaustedError(absl::StrCat(
                            "too many streaming HTTP calls at once (", max_streams_,
                            ", ledgerd --http_max_streams); try again later")),
                        response);
  }
  auto call = std::make_shared<Call>(channel_, route);
  std::deque<std::unique_ptr<google::protobuf::Message>> early;  // answers read while writing
  bool timed_out = false;
  absl::Status started;
  if (route.method()->client_streaming()) {
    // Writes the requests one by one; past the server's window of appends in flight, takes one
    // answer per request written, so that neither side waits for the other.
    started = call->Open(authorization, *message, streaming);
    for (size_t i = 0; started.ok() && i < requests.size(); ++i) {
      started = call->Write(*requests[i]);
      if (started.ok() && i + 1 >= kStreamWindow) {
        std::unique_ptr<google::protobuf::Message> answer =
            call->Read(kUnaryDeadline + std::chrono::minutes(1), &timed_out);
        if (answer == nullptr) break;
        early.push_back(std::move(answer));
      }
    }
    if (started.ok()) started = call->WritesDone();
  } else {
    started = call->Start(authorization, *message, streaming);
  }
  if (!streaming) {
    std::unique_ptr<google::protobuf::Message> answer;
    if (started.ok()) answer = call->Read(kUnaryDeadline + std::chrono::minutes(1), &timed_out);
    absl::Status status = call->Finish();
    if (!status.ok() || answer == nullptr) {
      return RespondError(status.ok() ? absl::InternalError("no answer") : status, response);
    }
    response.set_content(MessageToJsonLine(*answer) + "\n", "application/json");
    return;
  }

  // Streaming: the first message decides between an error status and 200 with lines.
  std::unique_ptr<google::protobuf::Message> first;
  if (!early.empty()) {
    first = std::move(early.front());
    early.pop_front();
  } else if (started.ok()) {
    do {
      first = call->Read(kKeepAliveAfter, &timed_out);
    } while (first == nullptr && timed_out);
  }
  if (first == nullptr) {
    absl::Status status = call->Finish();
    if (!status.ok()) {
      open_streams_->fetch_sub(1);
      return RespondError(status, response);
    }
  }
  struct State {
    std::unique_ptr<google::protobuf::Message> pending;
    std::deque<std::unique_ptr<google::protobuf::Message>> early;
    std::unique_ptr<google::protobuf::Message> last;
    bool ended = false;
  };
  auto state = std::make_shared<State>();
  state->pending = std::move(first);
  state->early = std::move(early);
  state->ended = state->pending == nullptr;
  const Continuation continuation = route.continuation;
  response.status = 200;
  response.set_header("Cache-Control", "no-store");
  response.set_chunked_content_provider(
      "application/x-ndjson",
      [call, state, continuation](size_t, httplib::DataSink& sink) {
        if (state->pending == nullptr && !state->early.empty()) {
          state->pending = std::move(state->early.front());
          state->early.pop_front();
        }
        if (state->pending != nullptr) {
          std::string line = MessageToJsonLine(*state->pending) + "\n";
          state->last = std::move(state->pending);
          if (!sink.write(line.data(), line.size())) return false;
          return true;
        }
        if (!state->ended) {
          bool timed_out = false;
          state->pending = call->Read(kKeepAliveAfter, &timed_out);
          if (timed_out) {
            static const std::string kKeepAlive = "{\"keepAlive\":{}}\n";
            return sink.write(kKeepAlive.data(), kKeepAlive.size());
          }
          if (state->pending != nullptr) return true;
          state->ended = true;
        }
        auto [field, value] = ContinuationOf(continuation, call->request(), state->last.get());
        std::string end = StreamEndJson(call->Finish(), field, value) + "\n";
        sink.write(end.data(), end.size());
        sink.done();
        return true;
      },
      [call, streams = open_streams_](bool) {
        call->Cancel();
        streams->fetch_sub(1);
      });
}

}  // namespace services
