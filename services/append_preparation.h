// Append preparation: what happens to an AppendEventsRequest before it reaches the log, for both
// AppendEvents and AppendStream: the stream name and expected revision are read, every envelope
// and payload is validated, events the ledger records itself are refused, the caller must be a
// recorder of each event's organisation, and participants' personal data is sealed.
#ifndef ENGAGEMENT_SERVICES_APPEND_PREPARATION_H_
#define ENGAGEMENT_SERVICES_APPEND_PREPARATION_H_

#include "absl/status/statusor.h"
#include "domain/access_policy.h"
#include "engagement/v1/ledger_service.pb.h"
#include "ledger/event_log.h"
#include "ledger/subject_key_store.h"

namespace services {

// The batch to append; INVALID_ARGUMENT naming the field, or PERMISSION_DENIED naming the role.
absl::StatusOr<ledger::AppendBatch> PrepareAppend(const domain::Caller& caller,
                                                  const engagement::v1::AppendEventsRequest& request,
                                                  ledger::SubjectKeyStore& keys);

// What AppendEvents answers for an append's result.
engagement::v1::AppendEventsResponse ToAppendResponse(ledger::AppendResult result);

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_APPEND_PREPARATION_H_
