// Fuzzes the canonical record decoders, which read the bytes the hash chain covers (from the log,
// and from audit bundles an outsider hands over). The canonical bytes are whatever the ledger
// stored (canonical_record.h), so re-encoding is not required to reproduce them; but the two
// readers must agree: the chain fields ReadChainFields finds (what verification checks) must be
// the ones the full decoder gives (what readers are shown), or a record could verify as one
// position and be read as another.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ledger/canonical_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string record(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<engagement::v1::Event> event = ledger::DecodeCanonicalRecord(record);
  uint64_t position = 0;
  std::string previous_hash;
  absl::Status chain = ledger::ReadChainFields(record, &position, &previous_hash);
  if (event.ok() && chain.ok() &&
      (position != event->position() || previous_hash != event->previous_hash())) {
    std::abort();
  }
  return 0;
}
