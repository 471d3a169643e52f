// Fuzzes `ledgerctl append`'s import: one line of protobuf JSON to an Event, then the checks the
// server makes of it.
#include <google/protobuf/util/json_util.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "domain/payload_validation.h"
#include "engagement/v1/event.pb.h"
#include "ledger/envelope_validation.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string line(reinterpret_cast<const char*>(data), size);
  std::vector<engagement::v1::Event> events(1);
  if (!google::protobuf::util::JsonStringToMessage(line, &events[0]).ok()) return 0;
  if (ledger::ValidateEnvelopes(events).ok()) domain::ValidatePayloads(events).IgnoreError();
  std::string back;
  (void)google::protobuf::util::MessageToJsonString(events[0], &back);
  return 0;
}
