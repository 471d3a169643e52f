#include "services/token_verifier.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ledger/hash_chain.h"

namespace services {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxTokenBytes = 16 << 10;
constexpr size_t kMaxCachedTokens = 8192;

absl::Status Unauthenticated(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("bearer token: ", why));
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

bool DecodeBase64Url(absl::string_view in, std::string* out) {
  for (char c : in) {
    if (c == '=' || c == '+' || c == '/') return false;  // base64url without padding only
  }
  return absl::WebSafeBase64Unescape(in, out);
}

// Builds a public key from OSSL parameters of key type `type` ("RSA" or "EC").
Pkey FromParams(const char* type, OSSL_PARAM_BLD* builder) {
  Pkey result;
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(builder);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  if (params != nullptr && ctx != nullptr && EVP_PKEY_fromdata_init(ctx) == 1 &&
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) == 1) {
    result.reset(key);
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return result;
}

Pkey RsaKey(const std::string& n, const std::string& e) {
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  BIGNUM* bn_n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), n.size(), nullptr);
  BIGNUM* bn_e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), e.size(), nullptr);
  Pkey key;
  if (builder != nullptr && bn_n != nullptr && bn_e != nullptr &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1) {
    key = FromParams("RSA", builder);
  }
  BN_free(bn_n);
  BN_free(bn_e);
  OSSL_PARAM_BLD_free(builder);
  return key;
}

Pkey P256Key(const std::string& x, const std::string& y) {
  if (x.size() != 32 || y.size() != 32) return nullptr;
  std::string point = absl::StrCat("\x04", x, y);
  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  Pkey key;
  if (builder != nullptr &&
      OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
      OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) == 1) {
    key = FromParams("EC", builder);
  }
  OSSL_PARAM_BLD_free(builder);
  return key;
}

// A JWS ES256 signature is r || s (32 bytes each); OpenSSL wants DER.
std::string EcdsaRawToDer(absl::string_view raw) {
  if (raw.size() != 64) return "";
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  std::string der;
  if (sig != nullptr && r != nullptr && s != nullptr && ECDSA_SIG_set0(sig, r, s) == 1) {
    r = s = nullptr;  // owned by sig now
    unsigned char* out = nullptr;
    int len = i2d_ECDSA_SIG(sig, &out);
    if (len > 0) der.assign(reinterpret_cast<char*>(out), len);
    OPENSSL_free(out);
  }
  BN_free(r);
  BN_free(s);
  ECDSA_SIG_free(sig);
  return der;
}

bool VerifySha256(EVP_PKEY* key, absl::string_view data, absl::string_view signature) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr &&
            EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                             signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                             data.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// A string member, or `fallback` when it is missing or not a string (json::value would throw).
std::string StringOr(const json& object, const char* name, const std::string& fallback) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

// A claim that must be a JSON number of seconds.
bool SecondsClaim(const json& claims, const char* name, absl::Time* out) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return false;
  double seconds = it->get<double>();
  if (!(seconds > -1e12 && seconds < 1e12)) return false;  // also refuses NaN
  *out = absl::FromUnixSeconds(static_cast<int64_t>(seconds));
  return true;
}

}  // namespace

struct TokenVerifier::Key {
  std::string kid;
  std::string alg;  // "RS256" or "ES256", from the key type
  Pkey pkey;
};

TokenVerifier::TokenVerifier(TokenVerifierOptions options) : options_(std::move(options)) {}
TokenVerifier::~TokenVerifier() = default;

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::Load(
    const TokenVerifierOptions& options) {
  std::ifstream in(options.jwks_file);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("JWKS file ", options.jwks_file, " cannot be read"));
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = FromJwks(options, text.str());
  if (!verifier.ok()) {
    return absl::Status(verifier.status().code(),
                        absl::StrCat(options.jwks_file, ": ", verifier.status().message()));
  }
  return verifier;
}

absl::StatusOr<std::unique_ptr<TokenVerifier>> TokenVerifier::FromJwks(
    const TokenVerifierOptions& options, absl::string_view jwks) {
  if (options.issuer.empty() || options.audience.empty()) {
    return absl::InvalidArgumentError("an issuer and an audience are required to accept tokens");
  }
  json doc = json::parse(jwks.begin(), jwks.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) {
    return absl::InvalidArgumentError("not a JWKS document (an object with a \"keys\" array)");
  }
  std::unique_ptr<TokenVerifier> verifier(new TokenVerifier(options));
  std::vector<std::string> skipped;  // keys that cannot sign RS256 or ES256 tokens
  int index = -1;
  for (const json& jwk : doc["keys"]) {
    ++index;
    if (!jwk.is_object()) continue;
    std::string kty = StringOr(jwk, "kty", "");
    std::string use = StringOr(jwk, "use", "sig");
    if (use != "sig") continue;  // encryption keys are not for us
    auto key = std::make_unique<Key>();
    key->kid = StringOr(jwk, "kid", "");
    std::string where = absl::StrCat("keys[", index, "]");
    auto field = [&](const char* name, std::string* out) {
      return jwk.contains(name) && jwk[name].is_string() &&
             DecodeBase64Url(jwk[name].get<std::string>(), out);
    };
    if (kty == "RSA") {
      std::string n, e;
      if (!field("n", &n) || !field("e", &e)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": an RSA key needs n and e"));
      }
      key->alg = "RS256";
      key->pkey = RsaKey(n, e);
      if (key->pkey != nullptr && EVP_PKEY_get_bits(key->pkey.get()) < 2048) {
        skipped.push_back(absl::StrCat(where, " (RSA under 2048 bits)"));
        continue;
      }
    } else if (kty == "EC") {
      std::string x, y;
      if (StringOr(jwk, "crv", "") != "P-256") {
        skipped.push_back(absl::StrCat(where, " (not P-256)"));
        continue;  // another curve: not ES256
      }
      if (!field("x", &x) || !field("y", &y)) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": an EC key needs x and y"));
      }
      key->alg = "ES256";
      key->pkey = P256Key(x, y);
    } else {
      continue;  // other key types cannot sign RS256 or ES256 tokens
    }
    if (key->pkey == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": OpenSSL cannot use this key"));
    }
    std::string alg = StringOr(jwk, "alg", key->alg);
    if (alg != key->alg) continue;  // a key meant for another algorithm
    verifier->keys_.push_back(std::move(key));
  }
  if (verifier->keys_.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "no RS256 or ES256 signing key in the JWKS",
        skipped.empty() ? "" : absl::StrCat("; not usable: ", absl::StrJoin(skipped, ", "))));
  }
  return verifier;
}

absl::StatusOr<VerifiedToken> TokenVerifier::Verify(absl::string_view token, absl::Time now) const {
  if (token.size() > kMaxTokenBytes) return Unauthenticated("longer than 16 KiB");
  std::string digest = ledger::Sha256(token);
  {
    absl::MutexLock lock(&cache_mu_);
    auto it = cache_.find(digest);
    if (it != cache_.end()) {
      if (now < it->second.expires + options_.clock_skew) return it->second;
      cache_.erase(it);
      return Unauthenticated("expired");
    }
  }
  absl::StatusOr<VerifiedToken> verified = VerifyUncached(token, now);
  if (verified.ok()) {
    absl::MutexLock lock(&cache_mu_);
    if (cache_.size() >= kMaxCachedTokens) cache_.clear();
    cache_.emplace(std::move(digest), *verified);
  }
  return verified;
}

absl::StatusOr<VerifiedToken> TokenVerifier::VerifyUncached(absl::string_view token,
                                                            absl::Time now) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("not a JWS compact token (three dot-separated parts)");
  std::string header_text, claims_text, signature;
  if (!DecodeBase64Url(parts[0], &header_text) || !DecodeBase64Url(parts[1], &claims_text) ||
      !DecodeBase64Url(parts[2], &signature)) {
    return Unauthenticated("a part is not base64url");
  }
  json header = json::parse(header_text, nullptr, false);
  if (header.is_discarded() || !header.is_object() || !header.contains("alg") ||
      !header["alg"].is_string()) {
    return Unauthenticated("header is not a JSON object with \"alg\"");
  }
  std::string alg = header["alg"].get<std::string>();
  if (alg != "RS256" && alg != "ES256") {
    return Unauthenticated("algorithm not accepted (only RS256 and ES256 are)");
  }
  if (header.contains("crit")) return Unauthenticated("critical header extensions are not supported");
  std::string kid = StringOr(header, "kid", "");
  const Key* key = nullptr;
  int candidates = 0;
  for (const auto& k : keys_) {
    if (k->alg != alg) continue;
    if (!kid.empty() && k->kid != kid) continue;
    key = k.get();
    ++candidates;
  }
  if (key == nullptr) return Unauthenticated("signed by a key the issuer's JWKS does not hold");
  if (candidates > 1) return Unauthenticated("no \"kid\" to choose among the issuer's keys");
  std::string signed_der = alg == "ES256" ? EcdsaRawToDer(signature) : signature;
  absl::string_view signing_input(parts[0].data(), parts[0].size() + 1 + parts[1].size());
  if (signed_der.empty() || !VerifySha256(key->pkey.get(), signing_input, signed_der)) {
    return Unauthenticated("signature does not verify");
  }

  json claims = json::parse(claims_text, nullptr, false);
  if (claims.is_discarded() || !claims.is_object()) return Unauthenticated("claims are not a JSON object");
  if (!claims.contains("iss") || !claims["iss"].is_string() ||
      claims["iss"].get<std::string>() != options_.issuer) {
    return Unauthenticated("issued by another issuer");
  }
  bool audience_ok = false;
  if (claims.contains("aud")) {
    const json& aud = claims["aud"];
    if (aud.is_string()) audience_ok = aud.get<std::string>() == options_.audience;
    if (aud.is_array()) {
      for (const json& a : aud) audience_ok = audience_ok || (a.is_string() && a == options_.audience);
    }
  }
  if (!audience_ok) return Unauthenticated("meant for another audience");
  VerifiedToken verified;
  if (!SecondsClaim(claims, "exp", &verified.expires)) return Unauthenticated("has no expiry (exp)");
  if (now >= verified.expires + options_.clock_skew) return Unauthenticated("expired");
  absl::Time not_before;
  if (claims.contains("nbf")) {
    if (!SecondsClaim(claims, "nbf", &not_before)) return Unauthenticated("nbf is not a number");
    if (now + options_.clock_skew < not_before) return Unauthenticated("not valid yet (nbf)");
  }
  if (!claims.contains("sub") || !claims["sub"].is_string() ||
      claims["sub"].get<std::string>().empty()) {
    return Unauthenticated("has no subject (sub)");
  }
  verified.subject = claims["sub"].get<std::string>();
  return verified;
}

}  // namespace services
