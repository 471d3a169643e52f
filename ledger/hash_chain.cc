#include "ledger/hash_chain.h"

#include <openssl/evp.h>

#include <memory>

#include "ledger/log_format.h"

namespace ledger {
namespace {

// The digest is fetched once: EVP_MD_fetch per call would dominate the cost of small hashes.
const EVP_MD* Sha256Digest() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

// One digest context per thread, reused.
EVP_MD_CTX* ThreadContext() {
  thread_local std::unique_ptr<EVP_MD_CTX, ContextDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

void Sha256Into(std::initializer_list<absl::string_view> parts, char* out) {
  EVP_MD_CTX* ctx = ThreadContext();
  unsigned int len = 0;
  EVP_DigestInit_ex(ctx, Sha256Digest(), nullptr);
  for (absl::string_view part : parts) EVP_DigestUpdate(ctx, part.data(), part.size());
  EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out), &len);
}

std::string Sha256Of(std::initializer_list<absl::string_view> parts) {
  std::string out(log_format::kHashSize, '\0');
  Sha256Into(parts, out.data());
  return out;
}

const std::string& GenesisHash() {
  static const std::string* zero = new std::string(log_format::kHashSize, '\0');
  return *zero;
}

std::string ChainHash(absl::string_view previous, absl::string_view record) {
  return Sha256Of({previous, record});
}

std::string Sha256(absl::string_view data) { return Sha256Of({data}); }

std::string ToHex(absl::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

}  // namespace ledger
