#include "services/token_signer.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace services {
namespace {

using json = nlohmann::json;

std::string BigEndian(const BIGNUM* bn, int width) {
  std::string out(width > 0 ? width : BN_num_bytes(bn), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), out.size());
  return out;
}

absl::StatusOr<std::string> BnParam(EVP_PKEY* key, const char* name, int width) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) {
    return absl::InternalError(absl::StrCat("cannot read key parameter ", name));
  }
  std::string out = BigEndian(bn, width);
  BN_free(bn);
  return out;
}

}  // namespace

std::string Base64Url(absl::string_view bytes) {
  std::string out;
  absl::WebSafeBase64Escape(bytes, &out);  // no padding
  return out;
}

struct TokenSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

TokenSigner::TokenSigner(std::unique_ptr<Key> key, std::string kid, std::string alg)
    : key_(std::move(key)), kid_(std::move(kid)), alg_(std::move(alg)) {}
TokenSigner::~TokenSigner() = default;

absl::StatusOr<std::unique_ptr<TokenSigner>> TokenSigner::GenerateEs256(std::string kid) {
  auto key = std::make_unique<Key>();
  key->pkey = EVP_EC_gen("P-256");
  if (key->pkey == nullptr) return absl::InternalError("cannot generate a P-256 key");
  return std::unique_ptr<TokenSigner>(new TokenSigner(std::move(key), std::move(kid), "ES256"));
}

absl::StatusOr<std::unique_ptr<TokenSigner>> TokenSigner::FromPem(absl::string_view pem,
                                                                  std::string kid) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  auto key = std::make_unique<Key>();
  key->pkey = bio != nullptr ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  if (key->pkey == nullptr) return absl::InvalidArgumentError("not a PEM private key");
  std::string alg;
  if (EVP_PKEY_is_a(key->pkey, "RSA") && EVP_PKEY_get_bits(key->pkey) >= 2048) {
    alg = "RS256";
  } else if (EVP_PKEY_is_a(key->pkey, "EC")) {
    char group[64] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key->pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                       sizeof(group), &len) == 1 &&
        std::string(group) == "prime256v1") {
      alg = "ES256";
    }
  }
  if (alg.empty()) {
    return absl::InvalidArgumentError("the key must be P-256 or RSA of at least 2048 bits");
  }
  return std::unique_ptr<TokenSigner>(new TokenSigner(std::move(key), std::move(kid), alg));
}

absl::StatusOr<std::unique_ptr<TokenSigner>> TokenSigner::LoadPemFile(const std::string& path,
                                                                      std::string kid) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, " cannot be read"));
  std::stringstream text;
  text << in.rdbuf();
  return FromPem(text.str(), std::move(kid));
}

absl::StatusOr<std::string> TokenSigner::PrivatePem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio, key_->pkey, nullptr, nullptr, 0, nullptr,
                                                 nullptr) != 1) {
    BIO_free(bio);
    return absl::InternalError("cannot write the private key");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, len);
  BIO_free(bio);
  return pem;
}

absl::Status TokenSigner::SavePemFile(const std::string& path) const {
  absl::StatusOr<std::string> pem = PrivatePem();
  if (!pem.ok()) return pem.status();
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::FailedPreconditionError(absl::StrCat("cannot create ", path));
  bool ok = ::write(fd, pem->data(), pem->size()) == static_cast<ssize_t>(pem->size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) return absl::InternalError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::StatusOr<std::string> TokenSigner::Jwks() const {
  json jwk = {{"kid", kid_}, {"use", "sig"}, {"alg", alg_}};
  if (alg_ == "ES256") {
    absl::StatusOr<std::string> x = BnParam(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_X, 32);
    absl::StatusOr<std::string> y = BnParam(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, 32);
    if (!x.ok()) return x.status();
    if (!y.ok()) return y.status();
    jwk["kty"] = "EC";
    jwk["crv"] = "P-256";
    jwk["x"] = Base64Url(*x);
    jwk["y"] = Base64Url(*y);
  } else {
    absl::StatusOr<std::string> n = BnParam(key_->pkey, OSSL_PKEY_PARAM_RSA_N, 0);
    absl::StatusOr<std::string> e = BnParam(key_->pkey, OSSL_PKEY_PARAM_RSA_E, 0);
    if (!n.ok()) return n.status();
    if (!e.ok()) return e.status();
    jwk["kty"] = "RSA";
    jwk["n"] = Base64Url(*n);
    jwk["e"] = Base64Url(*e);
  }
  return json({{"keys", json::array({jwk})}}).dump(2);
}

absl::StatusOr<std::string> TokenSigner::Sign(const TokenClaims& claims) const {
  json header = {{"alg", alg_}, {"typ", "JWT"}, {"kid", kid_}};
  json body = {{"iss", claims.issuer},
               {"aud", claims.audience},
               {"sub", claims.subject},
               {"iat", absl::ToUnixSeconds(claims.issued_at)},
               {"exp", absl::ToUnixSeconds(claims.expires)}};
  if (claims.not_before != absl::InfinitePast()) body["nbf"] = absl::ToUnixSeconds(claims.not_before);
  return SignRaw(header.dump(), body.dump());
}

absl::StatusOr<std::string> TokenSigner::SignRaw(absl::string_view header_json,
                                                 absl::string_view claims_json) const {
  std::string input = absl::StrCat(Base64Url(header_json), ".", Base64Url(claims_json));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string signature;
  bool ok = ctx != nullptr &&
            EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1;
  if (ok) {
    signature.resize(len);
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &len,
                        reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    signature.resize(len);
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) return absl::InternalError("signing the token failed in OpenSSL");
  if (alg_ == "ES256") {
    const unsigned char* der = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, signature.size());
    if (sig == nullptr) return absl::InternalError("OpenSSL made an unreadable ECDSA signature");
    signature = absl::StrCat(BigEndian(ECDSA_SIG_get0_r(sig), 32), BigEndian(ECDSA_SIG_get0_s(sig), 32));
    ECDSA_SIG_free(sig);
  }
  return absl::StrCat(input, ".", Base64Url(signature));
}

}  // namespace services
