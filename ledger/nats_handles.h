// Owning handles for the NATS C client's objects, and its errors as absl::Status values.
#ifndef ENGAGEMENT_LEDGER_NATS_HANDLES_H_
#define ENGAGEMENT_LEDGER_NATS_HANDLES_H_

#include <nats/nats.h>

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ledger {

struct NatsConnectionDeleter {
  void operator()(natsConnection* c) const { natsConnection_Destroy(c); }
};
struct NatsSubscriptionDeleter {
  void operator()(natsSubscription* s) const { natsSubscription_Destroy(s); }
};
struct NatsMsgDeleter {
  void operator()(natsMsg* m) const { natsMsg_Destroy(m); }
};
struct JsCtxDeleter {
  void operator()(jsCtx* j) const { jsCtx_Destroy(j); }
};
struct KvStoreDeleter {
  void operator()(kvStore* k) const { kvStore_Destroy(k); }
};
struct KvEntryDeleter {
  void operator()(kvEntry* e) const { kvEntry_Destroy(e); }
};
struct JsPubAckDeleter {
  void operator()(jsPubAck* a) const { jsPubAck_Destroy(a); }
};
struct JsStreamInfoDeleter {
  void operator()(jsStreamInfo* i) const { jsStreamInfo_Destroy(i); }
};
struct JsMetaDataDeleter {
  void operator()(jsMsgMetaData* m) const { jsMsgMetaData_Destroy(m); }
};

using NatsConnection = std::unique_ptr<natsConnection, NatsConnectionDeleter>;
using NatsSubscription = std::unique_ptr<natsSubscription, NatsSubscriptionDeleter>;
using NatsMsg = std::unique_ptr<natsMsg, NatsMsgDeleter>;
using JsCtx = std::unique_ptr<jsCtx, JsCtxDeleter>;
using KvStore = std::unique_ptr<kvStore, KvStoreDeleter>;
using KvEntry = std::unique_ptr<kvEntry, KvEntryDeleter>;
using JsPubAck = std::unique_ptr<jsPubAck, JsPubAckDeleter>;
using JsStreamInfo = std::unique_ptr<jsStreamInfo, JsStreamInfoDeleter>;
using JsMetaData = std::unique_ptr<jsMsgMetaData, JsMetaDataDeleter>;

// UNAVAILABLE (the cluster may come back) naming what failed and the client's reason; the
// JetStream error code too when there is one.
absl::Status NatsError(natsStatus status, absl::string_view what, jsErrCode code = jsErrCode(0));

}  // namespace ledger

#endif  // ENGAGEMENT_LEDGER_NATS_HANDLES_H_
