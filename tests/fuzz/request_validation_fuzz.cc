// Fuzzes what AppendEvents does with a request before anything reaches the log: parse the bytes,
// then the envelope and payload checks. Any input must end in OK or a clean status; never a crash,
// a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "domain/payload_validation.h"
#include "engagement/v1/ledger_service.pb.h"
#include "ledger/envelope_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  engagement::v1::AppendEventsRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  std::vector<engagement::v1::Event> events(request.events().begin(), request.events().end());
  if (ledger::ValidateEnvelopes(events).ok()) domain::ValidatePayloads(events).IgnoreError();
  ledger::ValidateStreamName(request.stream()).IgnoreError();
  return 0;
}
