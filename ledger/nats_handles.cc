#include "ledger/nats_handles.h"

#include "absl/strings/str_cat.h"

namespace ledger {

absl::Status NatsError(natsStatus status, absl::string_view what, jsErrCode code) {
  std::string message = absl::StrCat("NATS: ", what, ": ", natsStatus_GetText(status));
  if (code != 0) absl::StrAppend(&message, " (JetStream error ", static_cast<int>(code), ")");
  return absl::UnavailableError(message);
}

}  // namespace ledger
