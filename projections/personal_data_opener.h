// Opening participants' sealed personal data, for the read side: the equality-monitoring
// categories the reports count, and disclosure to privacy officers.
//
// A registration's data is one of: none given; readable; erased (the participant's data key was
// destroyed: the data can never be read again); or, in logs written without the engagement rules
// (tests, tools), present in clear. A key that is missing although never erased, or ciphertext
// that does not open, is DATA_LOSS: the key store does not belong to this log.
#ifndef ENGAGEMENT_PROJECTIONS_PERSONAL_DATA_OPENER_H_
#define ENGAGEMENT_PROJECTIONS_PERSONAL_DATA_OPENER_H_

#include "absl/status/statusor.h"
#include "engagement/v1/event.pb.h"
#include "ledger/subject_key_store.h"

namespace projections {

struct OpenedPersonalData {
  enum class State { kNone, kClear, kErased };
  State state = State::kNone;
  engagement::v1::ParticipantPersonalData data;  // kClear only
};

// `event` must be a participant_registered event. `keys` may be null when no key store is
// available (offline tools): sealed data then reads as erased.
absl::StatusOr<OpenedPersonalData> OpenPersonalData(const engagement::v1::Event& event,
                                                    const ledger::SubjectKeyStore* keys);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_PERSONAL_DATA_OPENER_H_
