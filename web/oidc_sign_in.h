// OIDC sign-in: the console's sign-in through the organisation's OpenID Connect issuer, by the
// authorization code flow with PKCE (RFC 7636, S256), as a public client (no client secret).
//
//   BeginOidcSignIn   reads the issuer's discovery document (/.well-known/openid-configuration),
//                     makes a code verifier and a state, and returns the authorization URL to
//                     send the browser to.
//   FinishOidcSignIn  at /sign-in/callback: checks the state (once, within 10 minutes),
//                     exchanges the code and the verifier at the token endpoint, and returns the
//                     access token. The ledger verifies that token like any other (issuer,
//                     audience, signature, expiry), so the console needs no keys of its own.
// Errors are statuses whose messages can be shown to the person.
#ifndef ENGAGEMENT_WEB_OIDC_SIGN_IN_H_
#define ENGAGEMENT_WEB_OIDC_SIGN_IN_H_

#include <string>

#include "absl/status/statusor.h"
#include "web/console.h"
#include "web/session_store.h"

namespace web {

absl::StatusOr<std::string> BeginOidcSignIn(const ConsoleOptions& options, SessionStore& sessions);
absl::StatusOr<std::string> FinishOidcSignIn(const ConsoleOptions& options, SessionStore& sessions,
                                             const httplib::Request& callback);

// base64url(SHA-256(verifier)), the S256 code challenge.
std::string CodeChallenge(const std::string& verifier);

}  // namespace web

#endif  // ENGAGEMENT_WEB_OIDC_SIGN_IN_H_
