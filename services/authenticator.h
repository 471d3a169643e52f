// Authenticator: who is calling, from a client certificate or a bearer token, and with which
// roles (domain/access_policy.h). Every RPC of every service asks it first; no call is served
// anonymously, on loopback neither.
//
// A caller is identified by
//   - a client certificate that the TLS handshake verified against the client CA: each of its
//     subject alternative names is looked up in the policy as a certificate_san; or
//   - an "authorization: Bearer <JWT>" header verified by the TokenVerifier: its "sub" is looked
//     up as a token_subject.
// A token, when sent, must verify even if a certificate would do: a bad token is never ignored.
// Missing or bad credentials are UNAUTHENTICATED; an identity the policy does not know is
// PERMISSION_DENIED (it proved who it is, but may do nothing).
//
// The policy can be replaced while serving (ReplacePolicy, on SIGHUP); calls in flight keep the
// caller they resolved. Thread safety: all methods may be called concurrently.
#ifndef ENGAGEMENT_SERVICES_AUTHENTICATOR_H_
#define ENGAGEMENT_SERVICES_AUTHENTICATOR_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "domain/access_policy.h"
#include "services/token_verifier.h"

namespace grpc {
class ServerContextBase;
}

namespace services {

using CallerPtr = std::shared_ptr<const domain::Caller>;

class Authenticator {
 public:
  // `verifier` may be null (certificates only). Owns both.
  Authenticator(std::unique_ptr<TokenVerifier> verifier, domain::AccessPolicy policy);

  // The caller of a gRPC call.
  absl::StatusOr<CallerPtr> Authenticate(const grpc::ServerContextBase& context) const;
  // The same from transport-neutral parts: the Authorization header's value (may be empty) and
  // the verified client certificate's subject alternative names (may be empty).
  absl::StatusOr<CallerPtr> Authenticate(absl::string_view authorization,
                                         const std::vector<std::string>& certificate_sans) const;

  void ReplacePolicy(domain::AccessPolicy policy);

 private:
  std::unique_ptr<TokenVerifier> verifier_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const domain::AccessPolicy> policy_ ABSL_GUARDED_BY(mu_);
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_AUTHENTICATOR_H_
