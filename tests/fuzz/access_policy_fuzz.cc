// Fuzzes the role policy parser (protobuf text, read at start and on SIGHUP).
#include <cstddef>
#include <cstdint>
#include <string>

#include "domain/access_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  domain::AccessPolicy::Parse(text).IgnoreError();
  return 0;
}
