// What the evidence projection keeps in its state history, and how a record as of a past
// position is made from it (Projection::HistoryValue and AsOfValue; state_history.h).
#include "absl/strings/match.h"
#include "projections/evidence_projection.h"
#include "projections/evidence_records.pb.h"

namespace projections {
namespace {

namespace records = engagement::projections::v1;

bool IsParticipant(absl::string_view key) { return absl::StartsWith(key, "p/"); }

void ClearEquality(records::ParticipantRecord& r) {
  r.clear_has_equality();
  r.clear_age_band();
  r.clear_ethnic_category();
  r.clear_disability();
  r.clear_carer();
  r.clear_imd_decile();
  r.clear_priority_groups();
  r.clear_inclusion_health_groups();
}

void CopyEquality(const records::ParticipantRecord& from, records::ParticipantRecord& to) {
  to.set_has_equality(from.has_equality());
  to.set_age_band(from.age_band());
  to.set_ethnic_category(from.ethnic_category());
  to.set_disability(from.disability());
  to.set_carer(from.carer());
  to.set_imd_decile(from.imd_decile());
  *to.mutable_priority_groups() = from.priority_groups();
  *to.mutable_inclusion_health_groups() = from.inclusion_health_groups();
}

}  // namespace

std::string EvidenceProjection::HistoryValue(absl::string_view key,
                                             absl::string_view value) const {
  if (!IsParticipant(key)) return std::string(value);
  records::ParticipantRecord r;
  if (!r.ParseFromArray(value.data(), static_cast<int>(value.size()))) return std::string(value);
  // Data in clear (logs written without the engagement rules) cannot be forgotten: the log holds
  // it. Sealed data can, and whether it reads as erased depends on the key, not on the position:
  // neither the categories nor the erased mark go into the history, so that every version
  // stays what the log gives, before an erasure and after it.
  if (!r.sealed()) return std::string(value);
  ClearEquality(r);
  r.clear_erased();
  return SerializeRecord(r);
}

absl::StatusOr<std::string> EvidenceProjection::AsOfValue(
    absl::string_view key, absl::string_view kept,
    absl::FunctionRef<absl::StatusOr<std::optional<std::string>>()> now) const {
  if (!IsParticipant(key)) return std::string(kept);
  records::ParticipantRecord r;
  if (!r.ParseFromArray(kept.data(), static_cast<int>(kept.size()))) {
    return absl::DataLossError("projection history: a participant's version does not parse");
  }
  if (!r.sealed()) return std::string(kept);
  absl::StatusOr<std::optional<std::string>> current = now();
  if (!current.ok()) return current.status();
  if (current->has_value()) {
    records::ParticipantRecord today;
    if (!today.ParseFromString(**current)) {
      return absl::DataLossError("projection state: a participant's record does not parse");
    }
    if (today.erased()) {
      r.set_erased(true);  // the key is gone: from the registration on, it reads as erased
    } else {
      CopyEquality(today, r);
    }
  }
  return SerializeRecord(r);
}

}  // namespace projections
