#include "web/oidc_sign_in.h"

#include <httplib.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace web {
namespace {

using Json = nlohmann::json;

struct Endpoints {
  std::string authorization;
  std::string token;
};

// "https://host:port" and "/path" of a URL.
std::pair<std::string, std::string> SplitUrl(const std::string& url) {
  size_t scheme = url.find("://");
  size_t slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  if (slash == std::string::npos) return {url, "/"};
  return {url.substr(0, slash), url.substr(slash)};
}

std::unique_ptr<httplib::Client> ClientFor(const std::string& origin, const ConsoleOptions& options) {
  auto client = std::make_unique<httplib::Client>(origin);
  client->set_connection_timeout(10, 0);
  client->set_read_timeout(10, 0);
  if (absl::StartsWith(origin, "https://")) {
    client->enable_server_certificate_verification(true);
    if (!options.oidc_ca_file.empty()) client->set_ca_cert_path(options.oidc_ca_file.c_str());
  }
  return client;
}

absl::StatusOr<Json> FetchJson(const ConsoleOptions& options, const std::string& url,
                               const httplib::Params* form) {
  auto [origin, path] = SplitUrl(url);
  std::unique_ptr<httplib::Client> client = ClientFor(origin, options);
  httplib::Result result = form == nullptr ? client->Get(path.c_str()) : client->Post(path.c_str(), *form);
  if (!result) {
    return absl::UnavailableError(absl::StrCat("the identity provider did not answer (",
                                               httplib::to_string(result.error()), ")"));
  }
  if (result->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("the identity provider refused the sign-in (HTTP ", result->status, ")"));
  }
  try {
    return Json::parse(result->body);
  } catch (const Json::parse_error&) {
    return absl::UnavailableError("the identity provider's answer is not JSON");
  }
}

absl::StatusOr<Endpoints> Discover(const ConsoleOptions& options) {
  std::string issuer = options.oidc_issuer;
  while (absl::EndsWith(issuer, "/")) issuer.pop_back();
  absl::StatusOr<Json> document =
      FetchJson(options, issuer + "/.well-known/openid-configuration", nullptr);
  if (!document.ok()) return document.status();
  Endpoints endpoints;
  if (document->contains("authorization_endpoint") && document->contains("token_endpoint") &&
      (*document)["authorization_endpoint"].is_string() && (*document)["token_endpoint"].is_string()) {
    endpoints.authorization = (*document)["authorization_endpoint"];
    endpoints.token = (*document)["token_endpoint"];
    return endpoints;
  }
  return absl::UnavailableError("the identity provider's discovery document has no endpoints");
}

std::string Encode(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      absl::StrAppend(&out, "%", absl::Hex(c, absl::kZeroPad2));
    }
  }
  return out;
}

}  // namespace

std::string CodeChallenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

absl::StatusOr<std::string> BeginOidcSignIn(const ConsoleOptions& options, SessionStore& sessions) {
  absl::StatusOr<Endpoints> endpoints = Discover(options);
  if (!endpoints.ok()) return endpoints.status();
  const std::string verifier = RandomToken();
  const std::string state = sessions.BeginSignIn(verifier);
  return absl::StrCat(endpoints->authorization,
                      absl::StrContains(endpoints->authorization, "?") ? "&" : "?",
                      "response_type=code&client_id=", Encode(options.oidc_client_id),
                      "&redirect_uri=", Encode(options.oidc_redirect_uri),
                      "&scope=openid&state=", Encode(state),
                      "&code_challenge=", CodeChallenge(verifier),
                      "&code_challenge_method=S256");
}

absl::StatusOr<std::string> FinishOidcSignIn(const ConsoleOptions& options, SessionStore& sessions,
                                             const httplib::Request& callback) {
  if (callback.has_param("error")) {
    return absl::PermissionDeniedError("the identity provider did not sign you in");
  }
  std::optional<std::string> verifier = sessions.FinishSignIn(callback.get_param_value("state"));
  if (!verifier.has_value()) {
    return absl::FailedPreconditionError("that sign-in has expired: sign in again");
  }
  absl::StatusOr<Endpoints> endpoints = Discover(options);
  if (!endpoints.ok()) return endpoints.status();
  httplib::Params form = {{"grant_type", "authorization_code"},
                          {"code", callback.get_param_value("code")},
                          {"redirect_uri", options.oidc_redirect_uri},
                          {"client_id", options.oidc_client_id},
                          {"code_verifier", *verifier}};
  absl::StatusOr<Json> answer = FetchJson(options, endpoints->token, &form);
  if (!answer.ok()) return answer.status();
  if (!answer->contains("access_token") || !(*answer)["access_token"].is_string()) {
    return absl::UnavailableError("the identity provider gave no access token");
  }
  return (*answer)["access_token"].get<std::string>();
}

}  // namespace web
