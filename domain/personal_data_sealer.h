// Sealing participants' personal data before it is recorded.
//
// SealPersonalData replaces the clear personal_data of every participant_registered event with
// sealed_personal_data (SEALING_SCHEME_AES_256_GCM_SYNTHETIC_NONCE, described in
// proto/engagement/v1/participants.proto), under the participant's own data key, made on first
// use. The same data for the same participant always seals to the same bytes, so a retried append
// is recognised as the same event.
//
// The engagement rules refuse a participant_registered event that still carries clear personal
// data (engagement_rules.h), so nothing unsealed reaches the log through any path with the rules
// installed. Opening is the read side's (projections/personal_data_opener.h).
#ifndef ENGAGEMENT_DOMAIN_PERSONAL_DATA_SEALER_H_
#define ENGAGEMENT_DOMAIN_PERSONAL_DATA_SEALER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "engagement/v1/event.pb.h"
#include "ledger/subject_key_store.h"

namespace domain {

// The associated data that binds sealed personal data to its participant and organisation.
std::string PersonalDataAad(absl::string_view organisation, absl::string_view participant_id);

// Seals in place. INVALID_ARGUMENT (naming the field) when a client set sealed_personal_data
// itself; FAILED_PRECONDITION when the participant was erased before; errors of the key store
// otherwise. On error the
// events may be partly sealed and must not be appended.
absl::Status SealPersonalData(std::vector<engagement::v1::Event>& events,
                              ledger::SubjectKeyStore& keys);

}  // namespace domain

#endif  // ENGAGEMENT_DOMAIN_PERSONAL_DATA_SEALER_H_
