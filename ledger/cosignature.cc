#include "ledger/cosignature.h"

#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace ledger {
namespace {

constexpr absl::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 em dash, space

std::string BigEndian(uint64_t value, int bytes) {
  std::string out(bytes, '\0');
  for (int i = bytes - 1; i >= 0; --i, value >>= 8) out[i] = static_cast<char>(value & 0xff);
  return out;
}

}  // namespace

std::string CosignedMessage(absl::string_view text, uint64_t timestamp) {
  return absl::StrCat("cosignature/v1\ntime ", timestamp, "\n", text);
}

absl::StatusOr<Cosigner> Cosigner::Load(const std::string& key_file, absl::string_view name) {
  absl::StatusOr<NoteSigner> signer = NoteSigner::Load(key_file, name, kNoteCosignatureV1);
  if (!signer.ok()) return signer.status();
  return Cosigner(*std::move(signer));
}

absl::StatusOr<Cosigner> Cosigner::FromSeed(absl::string_view name, absl::string_view seed) {
  absl::StatusOr<NoteSigner> signer = NoteSigner::FromSeed(name, seed, kNoteCosignatureV1);
  if (!signer.ok()) return signer.status();
  return Cosigner(*std::move(signer));
}

absl::StatusOr<std::string> Cosigner::Cosign(absl::string_view text, uint64_t timestamp) const {
  if (timestamp == 0 || timestamp > static_cast<uint64_t>(INT64_MAX)) {
    return absl::InvalidArgumentError("a cosignature's timestamp is between 1 and 2^63-1");
  }
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("a checkpoint's note text ends with a newline");
  }
  absl::StatusOr<std::string> signature = signer_.SignMessage(CosignedMessage(text, timestamp));
  if (!signature.ok()) return signature.status();
  std::string payload = absl::StrCat(BigEndian(signer_.key_id(), 4), BigEndian(timestamp, 8),
                                     *signature);
  return absl::StrCat(kSignaturePrefix, signer_.key_name(), " ", absl::Base64Escape(payload),
                      "\n");
}

absl::StatusOr<CosignatureVerifier> CosignatureVerifier::Parse(absl::string_view verifier_key) {
  absl::StatusOr<NoteVerifier> verifier = NoteVerifier::Parse(verifier_key, kNoteCosignatureV1);
  if (!verifier.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("witness key ", verifier_key, ": ", verifier.status().message()));
  }
  return CosignatureVerifier(*std::move(verifier));
}

absl::StatusOr<uint64_t> CosignatureVerifier::Verify(absl::string_view note) const {
  absl::StatusOr<SplitNote> split = SplitSignedNote(note);
  if (!split.ok()) return split.status();
  for (const NoteSignatureLine& line : split->signatures) {
    if (line.key_name != name() || line.key_id != key_id()) continue;
    uint64_t timestamp = 0;
    if (line.signature.size() == 8 + kEd25519SignatureSize) {
      for (int i = 0; i < 8; ++i) {
        timestamp = (timestamp << 8) | static_cast<unsigned char>(line.signature[i]);
      }
    }
    if (timestamp == 0 || timestamp > static_cast<uint64_t>(INT64_MAX) ||
        !verifier_.VerifyMessage(CosignedMessage(split->text, timestamp),
                                 absl::string_view(line.signature).substr(8))) {
      return absl::UnauthenticatedError(absl::StrFormat(
          "the cosignature by witness %s+%08x does not verify: the checkpoint or the "
          "cosignature was changed or forged",
          name(), key_id()));
    }
    return timestamp;
  }
  return absl::NotFoundError(absl::StrFormat("no cosignature by witness %s+%08x", name(), key_id()));
}

absl::StatusOr<WitnessPolicy> WitnessPolicy::Parse(const std::vector<std::string>& verifier_keys,
                                                   size_t quorum) {
  WitnessPolicy policy;
  std::set<std::string> names;
  for (const std::string& key : verifier_keys) {
    if (key.empty()) continue;
    absl::StatusOr<CosignatureVerifier> verifier = CosignatureVerifier::Parse(key);
    if (!verifier.ok()) return verifier.status();
    if (!names.insert(verifier->name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("witness ", verifier->name(), " is given twice"));
    }
    policy.witnesses_.push_back(*std::move(verifier));
  }
  if (quorum > policy.witnesses_.size()) {
    return absl::InvalidArgumentError(absl::StrCat("a quorum of ", quorum, " needs at least ",
                                                   quorum, " witness keys; ",
                                                   policy.witnesses_.size(), " given"));
  }
  policy.quorum_ = quorum == 0 ? policy.witnesses_.size() : quorum;
  return policy;
}

std::string WitnessPolicy::Describe() const {
  std::vector<std::string> names;
  for (const CosignatureVerifier& witness : witnesses_) names.push_back(witness.name());
  return absl::StrCat(quorum_, " of ", witnesses_.size(), " witness",
                      witnesses_.size() == 1 ? "" : "es", " (", absl::StrJoin(names, ", "), ")");
}

absl::StatusOr<std::vector<WitnessedBy>> WitnessPolicy::Check(absl::string_view note) const {
  std::vector<WitnessedBy> cosigned;
  std::vector<std::string> missing;
  for (const CosignatureVerifier& witness : witnesses_) {
    absl::StatusOr<uint64_t> timestamp = witness.Verify(note);
    if (timestamp.ok()) {
      cosigned.push_back({witness.name(), *timestamp});
    } else if (absl::IsNotFound(timestamp.status())) {
      missing.push_back(witness.name());
    } else {
      return timestamp.status();
    }
  }
  if (cosigned.size() < quorum_) {
    std::vector<std::string> names;
    for (const WitnessedBy& w : cosigned) names.push_back(w.witness);
    return absl::FailedPreconditionError(absl::StrCat(
        "the checkpoint is cosigned by ", cosigned.size(), " of the witnesses given (",
        names.empty() ? "none" : absl::StrJoin(names, ", "), "), not ", quorum_,
        "; missing: ", absl::StrJoin(missing, ", ")));
  }
  return cosigned;
}

}  // namespace ledger
