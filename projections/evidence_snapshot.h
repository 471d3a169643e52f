// EvidenceSnapshot: one organisation's evidence records loaded from a projection's state, for
// the reports to walk. Links to retracted records are treated as absent through the helpers.
#ifndef ENGAGEMENT_PROJECTIONS_EVIDENCE_SNAPSHOT_H_
#define ENGAGEMENT_PROJECTIONS_EVIDENCE_SNAPSHOT_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "projections/evidence_records.pb.h"
#include "projections/state_store.h"

namespace projections {

namespace records = engagement::projections::v1;

struct EvidenceSnapshot {
  // Every map is id -> record, retracted records left out.
  std::map<std::string, records::EngagementRecord> engagements;
  std::map<std::string, records::SessionRecord> sessions;
  std::map<std::string, records::ParticipantRecord> participants;
  std::map<std::string, records::InsightRecord> insights;
  std::map<std::string, records::DecisionRecord> decisions;  // recorded decisions only
  std::map<std::string, records::FeedbackRecord> feedback;
  std::map<std::string, records::ReimbursementRecord> reimbursements;
  std::map<std::string, records::ConsultationRecord> consultations;
  std::map<std::string, records::DutyAssessmentRecord> assessments;
  std::map<std::string, records::InformationRecord> information;
  std::map<std::string, records::EvaluationFormRecord> forms;
  std::map<std::string, records::ActivityReturnRecord> returns;  // by session id
  std::map<std::string, records::CaseStudyRecord> case_studies;
  std::map<std::string, records::InvitationRecord> invitations;

  static absl::StatusOr<EvidenceSnapshot> Load(const StateReader& state, absl::string_view org);

  // The insight's decision links whose decisions stand.
  std::vector<const records::InsightDecisionLink*> Decisions(const records::InsightRecord& i) const;
  // Earliest time the insight was fed back: directly, or through a decision that considered it;
  // 0 when never.
  int64_t FirstFeedback(const records::InsightRecord& insight) const;
  // Earliest feedback reporting the decision directly; 0 when none.
  int64_t FirstFeedback(const records::DecisionRecord& decision) const;
};

// The digest of the evidence an organisation's reports are computed from: SHA-256 over every
// record of `org` (retracted ones too), kind by kind in the order e s p i d f r c a n v w k j,
// each record in key order as u32 key length || key || u32 value length || value (big-endian
// lengths). Reports carry it in their provenance (Provenance.state_digest): a replay of the log to
// the same position that gives the same digest proves the report was computed from the log.
absl::StatusOr<std::string> EvidenceStateDigest(const StateReader& state, absl::string_view org);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_EVIDENCE_SNAPSHOT_H_
