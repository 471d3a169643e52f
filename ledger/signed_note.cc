#include "ledger/signed_note.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ledger/hash_chain.h"

namespace ledger {
namespace {

constexpr absl::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 em dash, space
constexpr size_t kMaxKeyFileSize = 64 * 1024;

absl::Status Invalid(absl::string_view what) { return absl::InvalidArgumentError(what); }

// Drains OpenSSL's error queue into one message.
std::string OpenSslError(absl::string_view what) {
  std::string out(what);
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    absl::StrAppend(&out, ": ", buf);
  }
  return out;
}

std::shared_ptr<EVP_PKEY> Own(EVP_PKEY* key) {
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

// Decodes the UTF-8 code point at s[*pos] and moves past it; false when the bytes there are not
// UTF-8 (overlong forms and surrogates included).
bool NextCodePoint(absl::string_view s, size_t* pos, char32_t* out) {
  const unsigned char c = s[*pos];
  size_t len;
  char32_t cp, min;
  if (c < 0x80) {
    *out = c;
    ++*pos;
    return true;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (s.size() - *pos < len) return false;
  for (size_t i = 1; i < len; ++i) {
    const unsigned char d = s[*pos + i];
    if ((d & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (d & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  *pos += len;
  *out = cp;
  return true;
}

// Unicode White_Space (what Go's unicode.IsSpace, used by the reference implementation, tests).
bool IsUnicodeSpace(char32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// Valid UTF-8 without control characters other than '\n'.
absl::Status CheckNoteBytes(absl::string_view s, absl::string_view what) {
  for (size_t pos = 0; pos < s.size();) {
    const size_t at = pos;
    char32_t cp;
    if (!NextCodePoint(s, &pos, &cp)) {
      return Invalid(absl::StrCat(what, " is not valid UTF-8 at byte ", at));
    }
    if (cp < 0x20 && cp != '\n') {
      return Invalid(absl::StrFormat("%s has control character 0x%02x at byte %d", what,
                                     static_cast<unsigned>(cp), at));
    }
  }
  return absl::OkStatus();
}

// Standard base64 with padding, and only the canonical encoding of the bytes.
bool StrictBase64(absl::string_view in, std::string* out) {
  return absl::Base64Unescape(in, out) && absl::Base64Escape(*out) == in;
}

std::string BigEndian32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

absl::StatusOr<std::string> RawPublicKey(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
    return Invalid("the key is not an Ed25519 key");
  }
  unsigned char buf[kEd25519PublicKeySize];
  size_t len = sizeof(buf);
  if (EVP_PKEY_get_raw_public_key(key, buf, &len) != 1 || len != sizeof(buf)) {
    return absl::InternalError(OpenSslError("reading the Ed25519 public key"));
  }
  return std::string(reinterpret_cast<const char*>(buf), len);
}

// Never asks for a passphrase (OpenSSL's default would prompt on the terminal).
int NoPassphrase(char*, int, int, void*) { return 0; }

absl::Status SyncDirectoryOf(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("opening ", dir));
  int rc = fsync(fd);
  int saved = errno;
  close(fd);
  if (rc != 0) return absl::ErrnoToStatus(saved, absl::StrCat("syncing ", dir));
  return absl::OkStatus();
}

}  // namespace

bool IsValidNoteKeyName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t pos = 0; pos < name.size();) {
    char32_t cp;
    if (!NextCodePoint(name, &pos, &cp)) return false;
    if (cp < 0x20 || cp == '+' || IsUnicodeSpace(cp)) return false;
  }
  return true;
}

uint32_t NoteKeyId(absl::string_view key_name, absl::string_view public_key, unsigned char type) {
  std::string input(key_name);
  input.push_back('\n');
  input.push_back(static_cast<char>(type));
  input.append(public_key.data(), public_key.size());
  const std::string hash = Sha256(input);
  uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id = (id << 8) | static_cast<unsigned char>(hash[i]);
  return id;
}

std::string NoteVerifierKey(absl::string_view key_name, absl::string_view public_key,
                            unsigned char type) {
  std::string key(1, static_cast<char>(type));
  key.append(public_key.data(), public_key.size());
  return absl::StrFormat("%s+%08x+%s", key_name, NoteKeyId(key_name, public_key, type),
                         absl::Base64Escape(key));
}

absl::StatusOr<SplitNote> SplitSignedNote(absl::string_view note) {
  if (absl::Status s = CheckNoteBytes(note, "the note"); !s.ok()) return s;
  const size_t split = note.rfind("\n\n");
  if (split == absl::string_view::npos) {
    return Invalid("the note has no blank line before its signatures");
  }
  SplitNote out;
  out.text = std::string(note.substr(0, split + 1));
  absl::string_view rest = note.substr(split + 2);
  if (rest.empty()) return Invalid("the note has no signature lines");
  if (rest.back() != '\n') return Invalid("the note's last signature line has no newline");
  for (size_t count = 1; !rest.empty(); ++count) {
    const size_t eol = rest.find('\n');
    absl::string_view line = rest.substr(0, eol);
    NoteSignatureLine parsed;
    parsed.line = std::string(rest.substr(0, eol + 1));
    rest.remove_prefix(eol + 1);
    if (count > kMaxNoteSignatures) {
      return Invalid(absl::StrCat("the note has more than ", kMaxNoteSignatures, " signatures"));
    }
    if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
      return Invalid(absl::StrCat("signature line ", count, " does not start with an em dash"));
    }
    line.remove_prefix(kSignaturePrefix.size());
    const size_t space = line.find(' ');
    std::string signature;
    if (space == absl::string_view::npos || !IsValidNoteKeyName(line.substr(0, space)) ||
        !StrictBase64(line.substr(space + 1), &signature) || signature.size() < 5) {
      return Invalid(absl::StrCat("signature line ", count, " is not \"— <key name> <base64>\""));
    }
    parsed.key_name = std::string(line.substr(0, space));
    for (int i = 0; i < 4; ++i) {
      parsed.key_id = (parsed.key_id << 8) | static_cast<unsigned char>(signature[i]);
    }
    parsed.signature = signature.substr(4);
    out.signatures.push_back(std::move(parsed));
  }
  return out;
}

absl::StatusOr<NoteSigner> NoteSigner::Load(const std::string& key_file,
                                            absl::string_view key_name, unsigned char type) {
  FILE* file = fopen(key_file.c_str(), "rbe");
  if (file == nullptr) return absl::ErrnoToStatus(errno, absl::StrCat("opening ", key_file));
  std::string pem(kMaxKeyFileSize + 1, '\0');
  const size_t read = fread(pem.data(), 1, pem.size(), file);
  const bool failed = ferror(file) != 0;
  fclose(file);
  if (failed) return absl::InternalError(absl::StrCat("reading ", key_file));
  if (read > kMaxKeyFileSize) return Invalid(absl::StrCat(key_file, " is too large for a key"));
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(read));
  EVP_PKEY* raw = bio ? PEM_read_bio_PrivateKey(bio, nullptr, NoPassphrase, nullptr) : nullptr;
  BIO_free(bio);
  OPENSSL_cleanse(pem.data(), pem.size());
  if (raw == nullptr) {
    return Invalid(OpenSslError(absl::StrCat(
        key_file, " is not an unencrypted PEM private key (openssl genpkey -algorithm ed25519)")));
  }
  NoteSigner signer;
  signer.key_ = Own(raw);
  absl::StatusOr<std::string> public_key = RawPublicKey(raw);
  if (!public_key.ok()) {
    return Invalid(absl::StrCat(key_file, ": ", public_key.status().message()));
  }
  if (!IsValidNoteKeyName(key_name)) {
    return Invalid(absl::StrCat("\"", key_name, "\" is not a valid note key name"));
  }
  signer.name_ = std::string(key_name);
  signer.public_key_ = *std::move(public_key);
  signer.type_ = type;
  signer.id_ = NoteKeyId(signer.name_, signer.public_key_, type);
  return signer;
}

absl::StatusOr<NoteSigner> NoteSigner::FromSeed(absl::string_view key_name,
                                                absl::string_view seed, unsigned char type) {
  if (seed.size() != 32) return Invalid("an Ed25519 private key is 32 bytes");
  if (!IsValidNoteKeyName(key_name)) {
    return Invalid(absl::StrCat("\"", key_name, "\" is not a valid note key name"));
  }
  EVP_PKEY* raw = EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size());
  if (raw == nullptr) return absl::InternalError(OpenSslError("making an Ed25519 key"));
  NoteSigner signer;
  signer.key_ = Own(raw);
  absl::StatusOr<std::string> public_key = RawPublicKey(raw);
  if (!public_key.ok()) return public_key.status();
  signer.name_ = std::string(key_name);
  signer.public_key_ = *std::move(public_key);
  signer.type_ = type;
  signer.id_ = NoteKeyId(signer.name_, signer.public_key_, type);
  return signer;
}

absl::Status NoteSigner::GenerateKeyFile(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    return absl::AlreadyExistsError(absl::StrCat(path, " exists; a key file is never replaced"));
  }
  std::shared_ptr<EVP_PKEY> key = Own(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (key == nullptr) return absl::InternalError(OpenSslError("generating an Ed25519 key"));
  BIO* bio = BIO_new(BIO_s_secmem());
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    BIO_free(bio);
    return absl::InternalError(OpenSslError("encoding the key"));
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  // Written under a temporary name, then linked into place: the key appears whole or not at
  // all, and link() fails rather than replace a file that appeared meanwhile.
  const std::string temp = path + ".tmp";
  unlink(temp.c_str());
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    BIO_free(bio);
    return absl::ErrnoToStatus(errno, absl::StrCat("creating ", temp));
  }
  absl::Status status;
  for (long done = 0; done < size && status.ok();) {
    ssize_t n = write(fd, data + done, static_cast<size_t>(size - done));
    if (n < 0 && errno != EINTR) {
      status = absl::ErrnoToStatus(errno, absl::StrCat("writing ", temp));
    }
    if (n > 0) done += n;
  }
  BIO_free(bio);  // a secure-heap BIO: its memory is cleansed when freed
  if (status.ok() && fsync(fd) != 0) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("syncing ", temp));
  }
  close(fd);
  if (status.ok() && link(temp.c_str(), path.c_str()) != 0) {
    status =
        errno == EEXIST
            ? absl::AlreadyExistsError(absl::StrCat(path, " exists; a key file is never replaced"))
            : absl::ErrnoToStatus(errno, absl::StrCat("linking ", path));
  }
  unlink(temp.c_str());
  if (!status.ok()) return status;
  return SyncDirectoryOf(path);
}

absl::StatusOr<std::string> NoteSigner::SignMessage(absl::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  unsigned char sig[kEd25519SignatureSize];
  size_t len = sizeof(sig);
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), sig, &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      len != sizeof(sig)) {
    return absl::InternalError(OpenSslError("signing"));
  }
  return std::string(reinterpret_cast<const char*>(sig), len);
}

absl::StatusOr<std::string> NoteSigner::Sign(absl::string_view text) const {
  if (text.empty() || text.back() != '\n') return Invalid("a note text must end with a newline");
  if (absl::Status s = CheckNoteBytes(text, "the note text"); !s.ok()) return s;
  absl::StatusOr<std::string> sig = SignMessage(text);
  if (!sig.ok()) return sig.status();
  const std::string signature = BigEndian32(id_) + *sig;
  return absl::StrCat(text, "\n", kSignaturePrefix, name_, " ", absl::Base64Escape(signature),
                      "\n");
}

absl::StatusOr<NoteVerifier> NoteVerifier::Parse(absl::string_view verifier_key,
                                                  unsigned char type) {
  const size_t plus1 = verifier_key.find('+');
  const size_t plus2 = plus1 == absl::string_view::npos ? plus1 : verifier_key.find('+', plus1 + 1);
  if (plus2 == absl::string_view::npos) {
    return Invalid("a verifier key is <name>+<8 hex digits>+<base64 key>");
  }
  const absl::string_view name = verifier_key.substr(0, plus1);
  const absl::string_view hex = verifier_key.substr(plus1 + 1, plus2 - plus1 - 1);
  const absl::string_view key64 = verifier_key.substr(plus2 + 1);
  if (!IsValidNoteKeyName(name)) return Invalid("the verifier key's name is not valid");
  uint32_t id = 0;
  if (hex.size() != 8) return Invalid("the verifier key's key ID is not 8 hex digits");
  for (char c : hex) {
    int digit = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
    if (digit < 0) return Invalid("the verifier key's key ID is not 8 hex digits");
    id = (id << 4) | static_cast<uint32_t>(digit);
  }
  std::string key;
  if (!StrictBase64(key64, &key) || key.empty()) {
    return Invalid("the verifier key's public key is not base64");
  }
  if (static_cast<unsigned char>(key[0]) != type) {
    return Invalid(absl::StrFormat(
        "the verifier key has signature type 0x%02x, not %s (0x%02x)",
        static_cast<unsigned char>(key[0]),
        type == kNoteEd25519 ? "Ed25519" : "an Ed25519 cosignature", type));
  }
  if (key.size() != 1 + kEd25519PublicKeySize) {
    return Invalid(
        absl::StrCat("the verifier key's Ed25519 key is ", key.size() - 1, " bytes, not 32"));
  }
  NoteVerifier verifier;
  verifier.name_ = std::string(name);
  verifier.public_key_ = key.substr(1);
  if (NoteKeyId(verifier.name_, verifier.public_key_, type) != id) {
    return Invalid("the verifier key's key ID does not match its name and public key");
  }
  verifier.id_ = id;
  EVP_PKEY* raw = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr,
      reinterpret_cast<const unsigned char*>(verifier.public_key_.data()),
      verifier.public_key_.size());
  if (raw == nullptr) return Invalid(OpenSslError("the verifier key is not an Ed25519 key"));
  verifier.key_ = Own(raw);
  return verifier;
}

bool NoteVerifier::VerifyMessage(absl::string_view message, absl::string_view signature) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const bool ok =
      ctx != nullptr && signature.size() == kEd25519SignatureSize &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       kEd25519SignatureSize, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  ERR_clear_error();
  return ok;
}

absl::StatusOr<std::string> NoteVerifier::Open(absl::string_view note) const {
  absl::StatusOr<SplitNote> split = SplitSignedNote(note);
  if (!split.ok()) return split.status();
  bool verified = false;
  std::vector<std::string> others;
  for (const NoteSignatureLine& line : split->signatures) {
    if (line.key_name != name_ || line.key_id != id_) {
      others.push_back(absl::StrFormat("%s+%08x", line.key_name, line.key_id));
      continue;
    }
    if (!VerifyMessage(split->text, line.signature)) {
      return absl::UnauthenticatedError(absl::StrFormat(
          "the signature by key %s+%08x does not verify: the note was changed or forged", name_,
          id_));
    }
    verified = true;
  }
  if (!verified) {
    return absl::UnauthenticatedError(
        absl::StrFormat("the note has no signature by key %s+%08x (it is signed by %s)", name_, id_,
                        others.empty() ? "no one" : absl::StrJoin(others, ", ")));
  }
  return split->text;
}

}  // namespace ledger
