// The assurance report's outcomes section (seed 002, appendix 2): for each level of the spectrum
// of engagement, its aim, its outputs and its outcomes, and the completeness of the sessions'
// records (a staff activity return, and evaluation forms or the reason none were offered).
// Every figure is defined in docs/reports.md; counts of people follow the same suppression rules
// as the rest of the report.
#ifndef ENGAGEMENT_PROJECTIONS_OUTCOMES_REPORT_H_
#define ENGAGEMENT_PROJECTIONS_OUTCOMES_REPORT_H_

#include <cstdint>
#include <vector>

#include "engagement/v1/reports.pb.h"
#include "projections/evidence_snapshot.h"

namespace projections {

// Fills report.outcomes, sessions_with_complete_record and sessions_missing_return_or_evaluation
// for the period [start, end) (Unix seconds).
void AddOutcomes(const EvidenceSnapshot& evidence, int64_t start, int64_t end, bool exact,
                 engagement::v1::AssuranceReport& report);

// The form's four statements, measured over `forms` (counts of people, suppressed unless exact).
void AddFormOutcomes(const std::vector<const records::EvaluationFormRecord*>& forms, bool exact,
                     google::protobuf::RepeatedPtrField<engagement::v1::OutcomeMeasure>* out);

// The aim of a spectrum level, in the framework's words.
std::string SpectrumAim(engagement::v1::SpectrumLevel level);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_OUTCOMES_REPORT_H_
