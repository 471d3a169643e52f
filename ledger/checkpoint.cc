#include "ledger/checkpoint.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "ledger/merkle_tree.h"

namespace ledger {
namespace {

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("checkpoint: ", what));
}

// A line of the body: non-empty, and no newline or other control character (which the note
// would refuse anyway, less clearly).
bool IsLine(absl::string_view line) {
  if (line.empty()) return false;
  for (unsigned char c : line) {
    if (c < 0x20) return false;
  }
  return true;
}

// Decimal without sign, spaces or leading zeros, within uint64.
bool ParseSize(absl::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0')) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

}  // namespace

absl::StatusOr<std::string> FormatCheckpoint(const Checkpoint& checkpoint) {
  if (!IsLine(checkpoint.origin)) {
    return Invalid("the origin must be a non-empty line without control characters");
  }
  if (checkpoint.root_hash.size() != kMerkleHashSize) {
    return Invalid(absl::StrCat("the root hash is ", checkpoint.root_hash.size(), " bytes, not ",
                                kMerkleHashSize));
  }
  std::string text = absl::StrCat(checkpoint.origin, "\n", checkpoint.tree_size, "\n",
                                  absl::Base64Escape(checkpoint.root_hash), "\n");
  for (size_t i = 0; i < checkpoint.extensions.size(); ++i) {
    if (!IsLine(checkpoint.extensions[i])) {
      return Invalid(absl::StrCat("extension line ", i + 1,
                                  " must be non-empty and without control characters"));
    }
    absl::StrAppend(&text, checkpoint.extensions[i], "\n");
  }
  return text;
}

absl::StatusOr<Checkpoint> ParseCheckpoint(absl::string_view text) {
  if (text.empty() || text.back() != '\n') return Invalid("the text must end with a newline");
  std::vector<absl::string_view> lines;
  for (absl::string_view rest = text; !rest.empty();) {
    const size_t eol = rest.find('\n');
    lines.push_back(rest.substr(0, eol));
    rest.remove_prefix(eol + 1);
  }
  if (lines.size() < 3) {
    return Invalid(absl::StrCat("has ", lines.size(), " lines, not origin, size and root hash"));
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!IsLine(lines[i])) {
      return Invalid(absl::StrCat("line ", i + 1, " is empty or has a control character"));
    }
  }
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  if (!ParseSize(lines[1], &checkpoint.tree_size)) {
    return Invalid(absl::StrCat("the tree size \"", lines[1],
                                "\" is not a decimal number without leading zeros"));
  }
  if (!absl::Base64Unescape(lines[2], &checkpoint.root_hash) ||
      absl::Base64Escape(checkpoint.root_hash) != lines[2]) {
    return Invalid("the root hash is not standard base64");
  }
  if (checkpoint.root_hash.size() != kMerkleHashSize) {
    return Invalid(absl::StrCat("the root hash is ", checkpoint.root_hash.size(), " bytes, not ",
                                kMerkleHashSize));
  }
  for (size_t i = 3; i < lines.size(); ++i) checkpoint.extensions.emplace_back(lines[i]);
  return checkpoint;
}

absl::StatusOr<CheckpointSigner> CheckpointSigner::Load(const std::string& key_file,
                                                        absl::string_view origin) {
  absl::StatusOr<NoteSigner> signer = NoteSigner::Load(key_file, origin);
  if (!signer.ok()) return signer.status();
  return CheckpointSigner(*std::move(signer));
}

absl::StatusOr<std::string> CheckpointSigner::Sign(const Checkpoint& checkpoint) const {
  if (checkpoint.origin != origin()) {
    return Invalid(absl::StrCat("the origin \"", checkpoint.origin, "\" is not the signer's \"",
                                origin(), "\""));
  }
  absl::StatusOr<std::string> text = FormatCheckpoint(checkpoint);
  if (!text.ok()) return text.status();
  return signer_.Sign(*text);
}

absl::StatusOr<Checkpoint> ParseAndVerify(absl::string_view note, absl::string_view verifier_key) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::Parse(verifier_key);
  if (!verifier.ok()) return verifier.status();
  absl::StatusOr<std::string> text = verifier->Open(note);
  if (!text.ok()) return text.status();
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpoint(*text);
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->origin != verifier->key_name()) {
    return Invalid(absl::StrCat("the origin \"", checkpoint->origin,
                                "\" is not the verifier key's name \"", verifier->key_name(),
                                "\""));
  }
  return checkpoint;
}

}  // namespace ledger
