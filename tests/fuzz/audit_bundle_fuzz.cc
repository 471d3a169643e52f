// Fuzzes audit bundle checking, as an auditor runs it on a bundle from anywhere. The input is
// split on lines of "~~~" into the bundle's files (manifest.json, events.jsonl, proofs.jsonl,
// checkpoint.note, verifier_key.txt), each given back its final newline, written to a directory,
// and checked.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "audit/audit_bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string directory = [] {
    std::string made = "/tmp/audit-bundle-fuzz-" + std::to_string(getpid());
    std::filesystem::create_directories(made);
    return made;
  }();
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts = absl::StrSplit(input, "\n~~~\n");
  const char* const files[] = {audit::kManifestFile, audit::kEventsFile, audit::kProofsFile,
                               audit::kCheckpointFile, audit::kVerifierKeyFile};
  for (size_t i = 0; i < 5; ++i) {
    const std::string path = directory + "/" + files[i];
    if (i < parts.size()) {
      std::ofstream(path, std::ios::binary | std::ios::trunc) << parts[i] << '\n';
    } else {
      std::filesystem::remove(path);
    }
  }
  audit::CheckBundle(directory, "").IgnoreError();
  return 0;
}
