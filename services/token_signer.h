// TokenSigner: issues JWTs with a private key, for local mode (ledgerd makes its own issuer so
// that `make run` works without an identity provider) and for tests. A real deployment uses its
// organisation's OpenID Connect issuer instead, and ledgerd only verifies (token_verifier.h).
//
// The key is P-256 (ES256) or RSA (RS256), in PEM; the algorithm follows the key. Signatures are
// OpenSSL's (EVP_DigestSign); an ES256 signature is converted from DER to JWS's r || s.
#ifndef ENGAGEMENT_SERVICES_TOKEN_SIGNER_H_
#define ENGAGEMENT_SERVICES_TOKEN_SIGNER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace services {

struct TokenClaims {
  std::string issuer;
  std::string audience;
  std::string subject;
  absl::Time issued_at;
  absl::Time expires;
  absl::Time not_before = absl::InfinitePast();  // omitted when infinite past
};

class TokenSigner {
 public:
  // A new P-256 key.
  static absl::StatusOr<std::unique_ptr<TokenSigner>> GenerateEs256(std::string kid);
  // A private key in PEM (PKCS#8 or traditional), P-256 or RSA of at least 2048 bits.
  static absl::StatusOr<std::unique_ptr<TokenSigner>> FromPem(absl::string_view pem, std::string kid);
  static absl::StatusOr<std::unique_ptr<TokenSigner>> LoadPemFile(const std::string& path,
                                                                  std::string kid);
  ~TokenSigner();

  // The private key in PEM (PKCS#8), to keep; written with mode 0600 by SavePemFile.
  absl::StatusOr<std::string> PrivatePem() const;
  absl::Status SavePemFile(const std::string& path) const;
  // {"keys":[<this key's public JWK>]}.
  absl::StatusOr<std::string> Jwks() const;
  // "ES256" or "RS256".
  const std::string& algorithm() const { return alg_; }

  absl::StatusOr<std::string> Sign(const TokenClaims& claims) const;
  // Signs any header and claims JSON as given (tests build malformed tokens with it).
  absl::StatusOr<std::string> SignRaw(absl::string_view header_json,
                                      absl::string_view claims_json) const;

 private:
  struct Key;
  TokenSigner(std::unique_ptr<Key> key, std::string kid, std::string alg);

  std::unique_ptr<Key> key_;
  std::string kid_;
  std::string alg_;
};

// base64url without padding (RFC 7515).
std::string Base64Url(absl::string_view bytes);

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_TOKEN_SIGNER_H_
