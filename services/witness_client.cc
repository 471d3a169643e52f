#include "services/witness_client.h"

#include <httplib.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace services {

absl::StatusOr<std::vector<WitnessEndpoint>> ReadWitnessesFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("the witnesses file ", path, " cannot be read"));
  std::vector<WitnessEndpoint> witnesses;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> fields = absl::StrSplit(text, ' ', absl::SkipEmpty());
    if (fields.size() != 2 || !(absl::StartsWith(fields[1], "http://") ||
                                absl::StartsWith(fields[1], "https://"))) {
      return absl::InvalidArgumentError(absl::StrCat(
          path, " line ", number, ": expected \"<witness verifier key> <http(s) URL>\""));
    }
    witnesses.push_back({fields[0], fields[1]});
  }
  return witnesses;
}

absl::StatusOr<std::unique_ptr<WitnessClient>> WitnessClient::Create(const std::string& url,
                                                                     const std::string& ca_file,
                                                                     absl::Duration timeout) {
  absl::string_view rest(url);
  bool https = absl::ConsumePrefix(&rest, "https://");
  if (!https && !absl::ConsumePrefix(&rest, "http://")) {
    return absl::InvalidArgumentError(absl::StrCat("witness URL ", url, ": not http(s)://..."));
  }
  size_t slash = rest.find('/');
  absl::string_view host_port = rest.substr(0, slash);
  std::string prefix = slash == absl::string_view::npos ? "" : std::string(rest.substr(slash));
  while (absl::EndsWith(prefix, "/")) prefix.pop_back();
  if (host_port.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("witness URL ", url, ": no host"));
  }
  std::unique_ptr<WitnessClient> client(new WitnessClient());
  client->url_ = url;
  client->path_ = prefix + "/add-checkpoint";
  client->client_ = std::make_unique<httplib::Client>(
      absl::StrCat(https ? "https://" : "http://", host_port));
  const auto seconds = absl::ToInt64Seconds(timeout);
  const auto micros = absl::ToInt64Microseconds(timeout - absl::Seconds(seconds));
  client->client_->set_connection_timeout(seconds, micros);
  client->client_->set_read_timeout(seconds, micros);
  client->client_->set_write_timeout(seconds, micros);
  client->client_->set_keep_alive(true);
  client->client_->set_tcp_nodelay(true);  // one request, one answer: no Nagle delay
  if (https) {
    client->client_->enable_server_certificate_verification(true);
    if (!ca_file.empty()) client->client_->set_ca_cert_path(ca_file.c_str());
  }
  return client;
}

WitnessClient::~WitnessClient() = default;

absl::StatusOr<WitnessClient::Reply> WitnessClient::AddCheckpoint(const std::string& body) {
  absl::MutexLock lock(&mu_);
  httplib::Result result = client_->Post(path_.c_str(), body, "text/plain; charset=utf-8");
  if (!result) {
    return absl::UnavailableError(absl::StrCat("no answer from witness ", url_, ": ",
                                               httplib::to_string(result.error())));
  }
  Reply reply;
  reply.status = result->status;
  reply.content_type = result->get_header_value("Content-Type");
  reply.body = result->body;
  return reply;
}

}  // namespace services
