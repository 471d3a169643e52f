#include "services/authenticator.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/server_context.h>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace services {
namespace {

constexpr absl::string_view kBearer = "Bearer ";

}  // namespace

Authenticator::Authenticator(std::unique_ptr<TokenVerifier> verifier, domain::AccessPolicy policy)
    : verifier_(std::move(verifier)),
      policy_(std::make_shared<const domain::AccessPolicy>(std::move(policy))) {}

void Authenticator::ReplacePolicy(domain::AccessPolicy policy) {
  auto replacement = std::make_shared<const domain::AccessPolicy>(std::move(policy));
  absl::MutexLock lock(&mu_);
  policy_ = std::move(replacement);
}

absl::StatusOr<CallerPtr> Authenticator::Authenticate(const grpc::ServerContextBase& context) const {
  absl::string_view authorization;
  const auto& metadata = context.client_metadata();
  auto found = metadata.find("authorization");
  if (found != metadata.end()) {
    authorization = absl::string_view(found->second.data(), found->second.size());
  }
  std::vector<std::string> sans;
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const char* property : {GRPC_X509_SAN_PROPERTY_NAME, GRPC_PEER_URI_PROPERTY_NAME,
                                 GRPC_PEER_DNS_PROPERTY_NAME, GRPC_PEER_EMAIL_PROPERTY_NAME}) {
      for (const grpc::string_ref& value : auth->FindPropertyValues(property)) {
        sans.emplace_back(value.data(), value.size());
      }
    }
  }
  return Authenticate(authorization, sans);
}

absl::StatusOr<CallerPtr> Authenticator::Authenticate(
    absl::string_view authorization, const std::vector<std::string>& certificate_sans) const {
  std::shared_ptr<const domain::AccessPolicy> policy;
  {
    absl::MutexLock lock(&mu_);
    policy = policy_;
  }
  if (!authorization.empty()) {
    if (!absl::StartsWithIgnoreCase(authorization, kBearer)) {
      return absl::UnauthenticatedError(
          "authorization: only \"Bearer <token>\" is accepted");
    }
    if (verifier_ == nullptr) {
      return absl::UnauthenticatedError(
          "bearer token: this ledger accepts no tokens (no issuer is configured); use a client "
          "certificate");
    }
    absl::StatusOr<VerifiedToken> token =
        verifier_->Verify(authorization.substr(kBearer.size()), absl::Now());
    if (!token.ok()) return token.status();
    CallerPtr caller = policy->ForTokenSubject(token->subject);
    if (caller == nullptr) {
      return absl::PermissionDeniedError(absl::StrCat(
          "token:", token->subject, " is not in this ledger's access policy: it may do nothing"));
    }
    return caller;
  }
  for (const std::string& san : certificate_sans) {
    if (CallerPtr caller = policy->ForCertificateSan(san); caller != nullptr) return caller;
  }
  if (!certificate_sans.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "certificate:", certificate_sans.front(),
        " is not in this ledger's access policy: it may do nothing"));
  }
  return absl::UnauthenticatedError(
      "no credentials: send \"authorization: Bearer <token>\" or a client certificate (ledgerctl "
      "--token_file, or --cert_file and --key_file)");
}

}  // namespace services
