#include "projections/projection_check.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "projections/projection_runner.h"
#include "projections/state_history.h"

namespace projections {
namespace {

absl::Status Differs(const ProjectionCheck& check, absl::string_view key, absl::string_view what) {
  return absl::DataLossError(absl::StrCat(
      "projection ", check.name, " does not match the log replayed to position ", check.position,
      ": at key \"", absl::CHexEscape(key), "\" ", what,
      "; rebuild it (ledgerctl projections rebuild --name=", check.name, ") and find out who "
      "changed its database"));
}

// As Differs, for a version of the history (`history_key`: state_history.h).
absl::Status VersionDiffers(const ProjectionCheck& check, absl::string_view history_key,
                            absl::string_view what) {
  std::string key;
  uint64_t position = 0;
  std::string where = ParseHistoryKey(history_key, &key, &position)
                          ? absl::StrCat("the version of \"", absl::CHexEscape(key),
                                         "\" written at position ", position)
                          : absl::StrCat("history key \"", absl::CHexEscape(history_key), "\"");
  return absl::DataLossError(absl::StrCat(
      "projection ", check.name, " does not match the log replayed to position ", check.position,
      ": ", where, ": ", what, "; rebuild it (ledgerctl projections rebuild --name=", check.name,
      ") and find out who changed its database"));
}

// Applies events to the replayed records and writes each version into `copy`, as a chunk of the
// maintained projection keeps them (rocksdb_state_store.cc, Chunk::Keep).
class RecordingState final : public StateWriter {
 public:
  RecordingState(MemoryState& records, HistoryCopy& copy, const Projection& projection)
      : records_(records), copy_(copy), projection_(projection) {}
  void SetPosition(uint64_t position) { position_ = position; }
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) const override {
    return records_.Get(key);
  }
  absl::Status Scan(absl::string_view prefix,
                    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
      const override {
    return records_.Scan(prefix, visit);
  }
  void Put(absl::string_view key, absl::string_view value) override {
    records_.Put(key, value);
    copy_.Put(HistoryKey(key, position_),
              EncodeVersion(std::string(projection_.HistoryValue(key, value))));
  }
  void Delete(absl::string_view key) override {
    records_.Delete(key);
    copy_.Put(HistoryKey(key, position_), EncodeVersion(std::nullopt));
  }

 private:
  MemoryState& records_;
  HistoryCopy& copy_;
  const Projection& projection_;
  uint64_t position_ = 0;
};

// Every version in `copy` must be stored alike, and as many stored as there are in `copy`.
absl::Status CompareHistory(ProjectionCheck& check, const StateReader& copy,
                            const StateReader& stored) {
  uint64_t expected = 0, present = 0;
  absl::Status read;
  absl::Status s = copy.Scan("", [&](absl::string_view key, absl::string_view version) {
    ++expected;
    absl::StatusOr<std::optional<std::string>> found = stored.Get(key);
    if (!found.ok()) {
      read = found.status();
      return false;
    }
    if (!found->has_value()) {
      check.result = VersionDiffers(check, key, "the log gives it, it is not stored");
    } else if (**found != version) {
      check.result = VersionDiffers(check, key, "the stored version differs from the log's");
    }
    return check.result.ok();
  });
  if (!s.ok()) return s;
  if (!read.ok()) return read;
  check.versions = expected;
  if (!check.result.ok()) return absl::OkStatus();
  s = stored.Scan("", [&](absl::string_view, absl::string_view) {
    ++present;
    return true;
  });
  if (!s.ok() || present == expected) return s;
  // Every version the log gives is stored, and more besides: name the first of those.
  s = stored.Scan("", [&](absl::string_view key, absl::string_view) {
    absl::StatusOr<std::optional<std::string>> found = copy.Get(key);
    if (!found.ok()) {
      read = found.status();
      return false;
    }
    if (found->has_value()) return true;
    check.result = VersionDiffers(check, key, "it is stored, the log does not give it");
    return false;
  });
  if (!s.ok()) return s;
  if (!read.ok()) return read;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ProjectionCheck> CheckProjection(const ledger::EventLog& log, Projection& projection,
                                                const StateReader& stored, uint64_t position,
                                                const StateReader* stored_history,
                                                HistoryCopy* copy) {
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
  absl::Status s;
  if (stored_history != nullptr && copy != nullptr) {
    RecordingState recording(replayed, *copy, projection);
    ledger::LogReadOptions options;
    options.to_position = position;
    absl::Status failure;
    if (position > 0) {
      s = log.ReadLog(options, [&](const engagement::v1::Event& event, absl::string_view) {
        recording.SetPosition(event.position());
        failure = projection.Apply(event, recording);
        if (!failure.ok()) {
          failure = absl::Status(failure.code(), absl::StrCat("at position ", event.position(),
                                                              ": ", failure.message()));
        }
        return failure.ok();
      });
    }
    if (!failure.ok()) return failure;
    if (!s.ok()) return s;
    s = copy->Flush();
  } else {
    s = ReplayInMemory(log, projection, position, replayed);
  }
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
  if (check.result.ok() && stored_history != nullptr && copy != nullptr) {
    s = CompareHistory(check, copy->Reader(), *stored_history);
    if (!s.ok()) return s;
  }
  return check;
}

}  // namespace projections
