#include "projections/projection_check.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "projections/projection_runner.h"

namespace projections {
namespace {

absl::Status Differs(const ProjectionCheck& check, absl::string_view key, absl::string_view what) {
  return absl::DataLossError(absl::StrCat(
      "projection ", check.name, " does not match the log replayed to position ", check.position,
      ": at key \"", absl::CHexEscape(key), "\" ", what,
      "; rebuild it (ledgerctl projections rebuild --name=", check.name, ") and find out who "
      "changed its database"));
}

}  // namespace

absl::StatusOr<ProjectionCheck> CheckProjection(const ledger::EventLog& log, Projection& projection,
                                                const StateReader& stored, uint64_t position) {
  ProjectionCheck check;
  check.name = std::string(projection.name());
  check.position = position;
  if (position > log.Head().position) {
    check.result = absl::DataLossError(
        absl::StrCat("projection ", check.name, " claims to reflect position ", position,
                     " but the log ends at ", log.Head().position));
    return check;
  }
  MemoryState replayed;
  absl::Status s = ReplayInMemory(log, projection, position, replayed);
  if (!s.ok()) return s;
  const auto& expected = replayed.records();
  auto next = expected.begin();
  s = stored.Scan("", [&](absl::string_view key, absl::string_view value) {
    ++check.records;
    if (next != expected.end() && next->first < key) {
      check.result = Differs(check, next->first, "the log gives a record that is not stored");
      return false;
    }
    if (next == expected.end() || next->first != key) {
      check.result = Differs(check, key, "a record is stored that the log does not give");
      return false;
    }
    if (next->second != value) {
      check.result = Differs(check, key, "the stored record differs from the log's");
      return false;
    }
    ++next;
    return true;
  });
  if (!s.ok()) return s;
  if (check.result.ok() && next != expected.end()) {
    check.result = Differs(check, next->first, "the log gives a record that is not stored");
  }
  return check;
}

}  // namespace projections
