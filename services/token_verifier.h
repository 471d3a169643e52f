// TokenVerifier: checks bearer JWTs from one configured OpenID Connect issuer.
//
// Accepted: RS256 and ES256 (P-256) signatures, by keys from a JWKS file as identity providers
// publish them (RFC 7517: "kty" RSA with "n"/"e", or EC with "crv" P-256 and "x"/"y"; "kid"
// chooses the key when there are several). Keys that cannot sign those (other curves, RSA under
// 2048 bits, encryption keys, other key types) are skipped; a JWKS with none left is refused. Every other algorithm, "none" among them, is refused
// before any key is looked at. Claims: "iss" must equal the issuer, "aud" must be or contain the
// audience, "exp" is required, "nbf" is honoured when present, both with a small clock-skew
// allowance, and "sub" (the caller's identity) is required. The signature is checked by OpenSSL
// (EVP_DigestVerify); parsing the token's JSON is nlohmann::json's.
//
// Verified tokens are remembered (by SHA-256 of the token) until they expire, so a client that
// sends the same token on every call costs one signature check, not one per call.
//
// Every failure is UNAUTHENTICATED with a message that says what was wrong with the token (never
// its contents). Thread safety: Verify may be called concurrently.
#ifndef ENGAGEMENT_SERVICES_TOKEN_VERIFIER_H_
#define ENGAGEMENT_SERVICES_TOKEN_VERIFIER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace services {

struct TokenVerifierOptions {
  std::string issuer;     // the "iss" every token must carry
  std::string audience;   // the "aud" every token must carry (this service's name)
  std::string jwks_file;  // the issuer's public keys, as a JWKS document
  absl::Duration clock_skew = absl::Seconds(60);
};

struct VerifiedToken {
  std::string subject;  // "sub"
  absl::Time expires;   // "exp"
};

class TokenVerifier {
 public:
  // Reads the JWKS. INVALID_ARGUMENT naming the key that cannot be used, or when none can.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> Load(const TokenVerifierOptions& options);
  // The same, from a JWKS document already read.
  static absl::StatusOr<std::unique_ptr<TokenVerifier>> FromJwks(const TokenVerifierOptions& options,
                                                                 absl::string_view jwks);
  ~TokenVerifier();

  absl::StatusOr<VerifiedToken> Verify(absl::string_view token, absl::Time now) const;

  const TokenVerifierOptions& options() const { return options_; }

 private:
  struct Key;
  explicit TokenVerifier(TokenVerifierOptions options);
  absl::StatusOr<VerifiedToken> VerifyUncached(absl::string_view token, absl::Time now) const;

  TokenVerifierOptions options_;
  std::vector<std::unique_ptr<Key>> keys_;
  mutable absl::Mutex cache_mu_;
  mutable absl::flat_hash_map<std::string, VerifiedToken> cache_ ABSL_GUARDED_BY(cache_mu_);
};

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_TOKEN_VERIFIER_H_
