#include "ledger/sealed_box.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <memory>

#include "absl/status/status.h"

namespace ledger {
namespace {

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

absl::Status CheckKey(absl::string_view key) {
  if (key.size() != kSealKeySize) {
    return absl::InvalidArgumentError("sealing key: must be 32 bytes");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> SealWithNonce(absl::string_view key, absl::string_view nonce,
                                          absl::string_view aad, absl::string_view plaintext) {
  CipherContext ctx(EVP_CIPHER_CTX_new());
  std::string out(kSealNonceSize + plaintext.size() + kSealTagSize, '\0');
  out.replace(0, kSealNonceSize, nonce.data(), kSealNonceSize);
  int len = 0;
  bool ok = ctx != nullptr &&
            EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kSealNonceSize, nullptr) == 1 &&
            EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) == 1 &&
            (aad.empty() ||
             EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), aad.size()) == 1) &&
            EVP_EncryptUpdate(ctx.get(), Bytes(out) + kSealNonceSize, &len, Bytes(plaintext),
                              plaintext.size()) == 1 &&
            EVP_EncryptFinal_ex(ctx.get(), Bytes(out) + kSealNonceSize + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kSealTagSize,
                                Bytes(out) + kSealNonceSize + plaintext.size()) == 1;
  if (!ok) return absl::InternalError("AES-256-GCM encryption failed in OpenSSL");
  return out;
}

}  // namespace

absl::StatusOr<std::string> RandomBytes(size_t size) {
  std::string out(size, '\0');
  if (size > 0 && RAND_bytes(Bytes(out), static_cast<int>(size)) != 1) {
    return absl::InternalError("OpenSSL's random generator failed");
  }
  return out;
}

absl::StatusOr<std::string> Seal(absl::string_view key, absl::string_view aad,
                                 absl::string_view plaintext) {
  if (absl::Status s = CheckKey(key); !s.ok()) return s;
  absl::StatusOr<std::string> nonce = RandomBytes(kSealNonceSize);
  if (!nonce.ok()) return nonce.status();
  return SealWithNonce(key, *nonce, aad, plaintext);
}

absl::StatusOr<std::string> SealSynthetic(absl::string_view key, absl::string_view nonce_key,
                                          absl::string_view aad, absl::string_view plaintext) {
  if (absl::Status s = CheckKey(key); !s.ok()) return s;
  if (absl::Status s = CheckKey(nonce_key); !s.ok()) return s;
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_len = 0;
  // EVP_Q_mac: one call, HMAC-SHA256 over aad || 0x00 || plaintext.
  std::string input;
  input.reserve(aad.size() + 1 + plaintext.size());
  input.append(aad.data(), aad.size());
  input.push_back('\0');
  input.append(plaintext.data(), plaintext.size());
  bool ok = EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, nonce_key.data(),
                      nonce_key.size(), Bytes(input), input.size(), mac, sizeof(mac),
                      &mac_len) != nullptr;
  Wipe(input);
  if (!ok || mac_len < kSealNonceSize) return absl::InternalError("HMAC-SHA256 failed in OpenSSL");
  return SealWithNonce(key, absl::string_view(reinterpret_cast<char*>(mac), kSealNonceSize), aad,
                       plaintext);
}

absl::StatusOr<std::string> Open(absl::string_view key, absl::string_view aad,
                                 absl::string_view sealed) {
  if (absl::Status s = CheckKey(key); !s.ok()) return s;
  if (sealed.size() < kSealOverhead) {
    return absl::DataLossError("sealed value is shorter than its nonce and tag");
  }
  size_t text_size = sealed.size() - kSealOverhead;
  absl::string_view nonce = sealed.substr(0, kSealNonceSize);
  absl::string_view text = sealed.substr(kSealNonceSize, text_size);
  std::string tag(sealed.substr(kSealNonceSize + text_size));
  CipherContext ctx(EVP_CIPHER_CTX_new());
  std::string out(text_size, '\0');
  int len = 0;
  bool ok = ctx != nullptr &&
            EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kSealNonceSize, nullptr) == 1 &&
            EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) == 1 &&
            (aad.empty() ||
             EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), aad.size()) == 1) &&
            EVP_DecryptUpdate(ctx.get(), Bytes(out), &len, Bytes(text), text.size()) == 1 &&
            EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kSealTagSize, Bytes(tag)) == 1;
  if (!ok) return absl::InternalError("AES-256-GCM decryption failed in OpenSSL");
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), Bytes(out) + len, &final_len) != 1) {
    Wipe(out);
    return absl::DataLossError(
        "sealed value does not open: altered, or sealed under another key or for another owner");
  }
  return out;
}

void Wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

}  // namespace ledger
