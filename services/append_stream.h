// AppendStream: the reactor of LedgerService.AppendStream, many independent appends on one
// bidirectional call (as KurrentDB's batch-append stream). Each request is prepared exactly as
// AppendEvents prepares it (append_preparation.h) and handed to the log's group commit at once,
// so a producer keeps up to kMaxInFlight appends in flight without a round trip each; answers go
// back in request order, each once its append is on disk (or refused, with its status).
//
// Flow control: with kMaxInFlight appends unanswered, no more requests are read until answers
// have been written. The call ends OK once the client has half-closed and every answer is
// written; if the client goes away, the appends already handed to the log still complete (they
// are durable and idempotent by event id; the client learns their outcome by retrying).
//
// Ownership: `log` and `keys` are not owned and must outlive the call. The reactor deletes
// itself when gRPC is done with it.
#ifndef ENGAGEMENT_SERVICES_APPEND_STREAM_H_
#define ENGAGEMENT_SERVICES_APPEND_STREAM_H_

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "engagement/v1/ledger_service.pb.h"
#include "ledger/event_log.h"
#include "ledger/subject_key_store.h"
#include "services/authenticator.h"

namespace services {

inline constexpr size_t kMaxAppendsInFlight = 256;

// The reactor for one call by `caller` (a call whose caller did not authenticate ends at once
// with that status).
grpc::ServerBidiReactor<engagement::v1::AppendStreamRequest, engagement::v1::AppendStreamResponse>*
NewAppendStream(ledger::EventLog* log, ledger::SubjectKeyStore* keys,
                const absl::StatusOr<CallerPtr>& caller);

}  // namespace services

#endif  // ENGAGEMENT_SERVICES_APPEND_STREAM_H_
