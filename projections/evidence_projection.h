// EvidenceProjection: the records every report is computed from (evidence_records.proto).
//
// Keys: "<kind>/<organisation>/<id>", kind one of
//   e engagement, s session, p participant, i insight, d decision, f feedback,
//   r reimbursement, c consultation, a duty assessment, n information shared, v evaluation form,
//   w activity return (by session), k case study, j invitation;
// and "x/<event id>" naming the record an event created, for corrections. Links are kept on
// both sides where a report walks them (an insight lists its decisions and feedback; a decision
// lists its insights and feedback). A retraction or supersession marks the record retracted;
// reports skip retracted records and links to them.
#ifndef ENGAGEMENT_PROJECTIONS_EVIDENCE_PROJECTION_H_
#define ENGAGEMENT_PROJECTIONS_EVIDENCE_PROJECTION_H_

#include <string>

#include "ledger/subject_key_store.h"
#include "projections/projection.h"

namespace projections {

// Record keys.
std::string EngagementKey(absl::string_view org, absl::string_view id);
std::string SessionKey(absl::string_view org, absl::string_view id);
std::string ParticipantKey(absl::string_view org, absl::string_view id);
std::string InsightKey(absl::string_view org, absl::string_view id);
std::string DecisionKey(absl::string_view org, absl::string_view id);
std::string FeedbackKey(absl::string_view org, absl::string_view id);
// The prefix of every record of one kind ('e', 's', ...) and organisation.
std::string KindPrefix(char kind, absl::string_view org);

// Participants' equality categories are opened with `keys` (not owned; may be null, when sealed
// data reads as erased): a person whose data key was destroyed counts as erased, whenever the
// events are applied.
class EvidenceProjection final : public Projection {
 public:
  // 4: participants record whether their data is sealed; the state keeps its history.
  static constexpr uint32_t kVersion = 4;
  explicit EvidenceProjection(const ledger::SubjectKeyStore* keys = nullptr) : keys_(keys) {}
  absl::string_view name() const override { return "evidence"; }
  uint32_t version() const override { return kVersion; }
  absl::Status Apply(const engagement::v1::Event& event, StateWriter& state) override;
  // A participant's sealed equality categories, and whether they read as erased, are kept only
  // in their record, never in its history, so that an erasure, which clears them there, leaves
  // none in any past version, and every version stays what the log gives. As of a past position
  // they are taken from the record now: the categories if it still has them, none and erased if
  // the person's sealed data has been erased since (as a replay today reads it).
  // (evidence_history.cc)
  std::string HistoryValue(absl::string_view key, absl::string_view value) const override;
  absl::StatusOr<std::string> AsOfValue(
      absl::string_view key, absl::string_view kept,
      absl::FunctionRef<absl::StatusOr<std::optional<std::string>>()> now) const override;

 private:
  const ledger::SubjectKeyStore* keys_;
};

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_EVIDENCE_PROJECTION_H_
