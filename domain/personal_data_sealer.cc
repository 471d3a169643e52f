#include "domain/personal_data_sealer.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/str_cat.h"
#include "ledger/sealed_box.h"

namespace domain {

std::string PersonalDataAad(absl::string_view organisation, absl::string_view participant_id) {
  return absl::StrCat(engagement::v1::ParticipantPersonalData::descriptor()->full_name(), "/",
                      organisation, "/", participant_id);
}

absl::Status SealPersonalData(std::vector<engagement::v1::Event>& events,
                              ledger::SubjectKeyStore& keys) {
  for (size_t i = 0; i < events.size(); ++i) {
    engagement::v1::Event& event = events[i];
    if (!event.has_participant_registered()) continue;
    auto* registered = event.mutable_participant_registered();
    std::string field = absl::StrCat("events[", i, "].participant_registered");
    if (registered->has_sealed_personal_data()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".sealed_personal_data: is set by the ledger; send personal_data in clear"));
    }
    if (!registered->has_personal_data()) continue;
    absl::StatusOr<ledger::DataKey> key = keys.GetOrCreate(registered->participant_id());
    if (!key.ok()) {
      return absl::Status(key.status().code(),
                          absl::StrCat(field, ".participant_id: ", key.status().message()));
    }
    std::string plaintext;
    // Deterministic, so that the same data always seals to the same bytes.
    google::protobuf::io::StringOutputStream stream(&plaintext);
    {
      google::protobuf::io::CodedOutputStream out(&stream);
      out.SetSerializationDeterministic(true);
      registered->personal_data().SerializeToCodedStream(&out);
    }
    absl::StatusOr<std::string> sealed = ledger::SealSynthetic(
        key->encryption_key, key->nonce_key,
        PersonalDataAad(event.organisation(), registered->participant_id()), plaintext);
    ledger::Wipe(plaintext);
    if (!sealed.ok()) return sealed.status();
    registered->clear_personal_data();
    auto* out = registered->mutable_sealed_personal_data();
    out->set_scheme(engagement::v1::SEALING_SCHEME_AES_256_GCM_SYNTHETIC_NONCE);
    out->set_sealed(*std::move(sealed));
  }
  return absl::OkStatus();
}

}  // namespace domain
