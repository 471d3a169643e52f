// Fuzzes the canonical record decoder, which reads the bytes the hash chain covers (from the log,
// and from audit bundles an outsider hands over). A record that decodes must re-encode to the
// same bytes: the encoding is canonical, so two byte strings never decode to one event.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ledger/canonical_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string record(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<engagement::v1::Event> event = ledger::DecodeCanonicalRecord(record);
  if (!event.ok()) return 0;
  if (ledger::EncodeCanonicalRecord(*event) != record) std::abort();
  uint64_t position = 0;
  std::string previous_hash;
  ledger::ReadChainFields(record, &position, &previous_hash).IgnoreError();
  return 0;
}
