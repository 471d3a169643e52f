// The JSON API's mapping of HTTP requests to request messages (services/json_transcoding.h) and
// its routes (services/http_routes.h): what a caller without gRPC sends is what the RPC gets, and
// what cannot be mapped is refused naming the field, before anything is called.
#include "services/json_transcoding.h"

#include <google/protobuf/descriptor.h>

#include "engagement/v1/ledger_service.pb.h"
#include "engagement/v1/reports.pb.h"
#include "gtest/gtest.h"
#include "services/http_routes.h"

namespace services {
namespace {

const google::protobuf::MethodDescriptor* Method(const std::string& name) {
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
      "engagement.v1." + name);
}

TEST(HttpRoutesTest, PathVariablesAndVerbsPickTheRpc) {
  bool known = false;
  auto append = MatchHttpRoute("POST", "/v1/streams/engagement-123:append", &known);
  ASSERT_TRUE(append.has_value());
  EXPECT_EQ(append->route->rpc, "engagement.v1.LedgerService.AppendEvents");
  EXPECT_EQ(append->variables.at("stream"), "engagement-123");
  auto events = MatchHttpRoute("GET", "/v1/streams/engagement-123/events", &known);
  ASSERT_TRUE(events.has_value());
  EXPECT_EQ(events->route->rpc, "engagement.v1.LedgerService.ReadStream");
  auto trace = MatchHttpRoute("GET", "/v1/organisations/QWE/engagements/e-1/youSaidWeDid", &known);
  ASSERT_TRUE(trace.has_value());
  EXPECT_EQ(trace->variables.at("organisation"), "QWE");
  EXPECT_EQ(trace->variables.at("engagement_id"), "e-1");
}

TEST(HttpRoutesTest, AnotherVerbOnAKnownPathIsNotANotFound) {
  bool known = false;
  EXPECT_FALSE(MatchHttpRoute("GET", "/v1/projections:verify", &known).has_value());
  EXPECT_TRUE(known);  // 405
  EXPECT_FALSE(MatchHttpRoute("GET", "/v1/nothing/here", &known).has_value());
  EXPECT_FALSE(known);  // 404
  // A variable is one non-empty segment.
  EXPECT_FALSE(MatchHttpRoute("POST", "/v1/streams/:append", &known).has_value());
  EXPECT_FALSE(MatchHttpRoute("GET", "/v1/streams/a/b/events", &known).has_value());
}

TEST(JsonTranscodingTest, QueryParametersFillNestedRepeatedAndBooleanFields) {
  HttpRequestParts parts;
  parts.verb = "GET";
  parts.query = {{"fromPosition", "12"},
                 {"filter.organisations", "QWE"},
                 {"filter.organisations", "XYZ"},
                 {"filter.event_types", "session_held"},
                 {"include_canonical_record", "true"}};
  auto request = RequestFromHttp(*Method("LedgerService.ReadLog"), parts);
  ASSERT_TRUE(request.ok()) << request.status();
  const auto& read = static_cast<const engagement::v1::ReadLogRequest&>(**request);
  EXPECT_EQ(read.from_position(), 12u);
  ASSERT_EQ(read.filter().organisations_size(), 2);
  EXPECT_EQ(read.filter().organisations(1), "XYZ");
  EXPECT_EQ(read.filter().event_types(0), "session_held");
  EXPECT_TRUE(read.include_canonical_record());
}

TEST(JsonTranscodingTest, AsOfTimestampAndPathVariableReachTheReportRequest) {
  HttpRequestParts parts;
  parts.verb = "GET";
  parts.path_variables = {{"organisation", "QWE"}};
  parts.query = {{"periodStart", "2025-04-01"}, {"as_of.recorded_at", "2025-06-01T00:00:00Z"}};
  auto request = RequestFromHttp(*Method("ReportService.GetAssuranceReport"), parts);
  ASSERT_TRUE(request.ok()) << request.status();
  const auto& report = static_cast<const engagement::v1::GetAssuranceReportRequest&>(**request);
  EXPECT_EQ(report.organisation(), "QWE");
  EXPECT_EQ(report.period_start(), "2025-04-01");
  EXPECT_EQ(report.as_of().recorded_at().seconds(), 1748736000);
}

TEST(JsonTranscodingTest, WhatCannotBeMappedIsRefusedNamingIt) {
  HttpRequestParts get;
  get.verb = "GET";
  get.query = {{"filter.nope", "1"}};
  auto unknown = RequestFromHttp(*Method("LedgerService.ReadLog"), get);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("filter.nope"), std::string::npos);

  get.query = {{"include_canonical_record", "perhaps"}};
  auto not_bool = RequestFromHttp(*Method("LedgerService.ReadLog"), get);
  EXPECT_NE(not_bool.status().message().find("true or false"), std::string::npos);

  get.query = {{"fromPosition", "1"}, {"fromPosition", "2"}};
  auto twice = RequestFromHttp(*Method("LedgerService.ReadLog"), get);
  EXPECT_NE(twice.status().message().find("more than once"), std::string::npos);

  get.query = {};
  get.body = "{}";
  EXPECT_EQ(RequestFromHttp(*Method("LedgerService.ReadLog"), get).status().code(),
            absl::StatusCode::kInvalidArgument);

  HttpRequestParts post;
  post.verb = "POST";
  post.path_variables = {{"stream", "engagement-1"}};
  post.body = R"({"stream": "engagement-2"})";
  auto conflict = RequestFromHttp(*Method("LedgerService.AppendEvents"), post);
  EXPECT_NE(conflict.status().message().find("stream"), std::string::npos);

  post.body = R"({"events": [{"noSuchField": 1}]})";
  auto field = RequestFromHttp(*Method("LedgerService.AppendEvents"), post);
  EXPECT_NE(field.status().message().find("noSuchField"), std::string::npos);

  post.body = "[1, 2]";
  EXPECT_NE(RequestFromHttp(*Method("LedgerService.AppendEvents"), post)
                .status()
                .message()
                .find("JSON object"),
            std::string::npos);
  post.body = "{";
  EXPECT_NE(RequestFromHttp(*Method("LedgerService.AppendEvents"), post)
                .status()
                .message()
                .find("not JSON"),
            std::string::npos);
}

TEST(JsonTranscodingTest, StatusesMapToTheirHttpCodes) {
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kFailedPrecondition), 400);
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusOfCode(absl::StatusCode::kDataLoss), 500);
  EXPECT_EQ(ErrorJson(absl::NotFoundError("no \"x\"")),
            R"({"error":{"code":404,"message":"no \"x\"","status":"NOT_FOUND"}})");
  EXPECT_EQ(StreamEndJson(absl::OkStatus(), "fromPosition", 7),
            R"({"end":{"code":200,"continuation":{"fromPosition":"7"},"message":"","status":"OK"}})");
}

}  // namespace
}  // namespace services
