#include "projections/personal_data_opener.h"

#include "absl/strings/str_cat.h"
#include "ledger/sealed_box.h"

namespace projections {

absl::StatusOr<OpenedPersonalData> OpenPersonalData(const engagement::v1::Event& event,
                                                    const ledger::SubjectKeyStore* keys) {
  OpenedPersonalData opened;
  const auto& registered = event.participant_registered();
  if (registered.has_personal_data()) {
    opened.state = OpenedPersonalData::State::kClear;
    opened.data = registered.personal_data();
    return opened;
  }
  if (!registered.has_sealed_personal_data()) return opened;
  const auto& sealed = registered.sealed_personal_data();
  if (sealed.scheme() != engagement::v1::SEALING_SCHEME_AES_256_GCM_SYNTHETIC_NONCE) {
    return absl::DataLossError(absl::StrCat("event at position ", event.position(),
                                            ": personal data sealed by an unknown scheme"));
  }
  opened.state = OpenedPersonalData::State::kErased;
  if (keys == nullptr) return opened;
  absl::StatusOr<ledger::SubjectKeyLookup> key = keys->Find(registered.participant_id());
  if (!key.ok()) return key.status();
  if (key->state == ledger::SubjectKeyState::kErased) return opened;
  if (key->state == ledger::SubjectKeyState::kNone) {
    return absl::DataLossError(absl::StrCat(
        "event at position ", event.position(),
        ": the participant's data key is missing from the key store, and was never erased (is "
        "the key store this log's?)"));
  }
  // The associated data as domain/personal_data_sealer.cc makes it.
  std::string aad =
      absl::StrCat(engagement::v1::ParticipantPersonalData::descriptor()->full_name(), "/",
                   event.organisation(), "/", registered.participant_id());
  absl::StatusOr<std::string> plaintext =
      ledger::Open(key->key.encryption_key, aad, sealed.sealed());
  if (!plaintext.ok()) {
    return absl::DataLossError(absl::StrCat("event at position ", event.position(), ": ",
                                            plaintext.status().message()));
  }
  bool parsed = opened.data.ParseFromString(*plaintext);
  ledger::Wipe(*plaintext);
  if (!parsed) {
    return absl::DataLossError(
        absl::StrCat("event at position ", event.position(), ": sealed personal data is not a "
                     "ParticipantPersonalData"));
  }
  opened.state = OpenedPersonalData::State::kClear;
  return opened;
}

}  // namespace projections
