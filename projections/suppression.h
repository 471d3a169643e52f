// Small-number suppression of counts of people (the NHS published-statistics rule): a count of 1
// to 7 is shown as "*", any other count is rounded to the nearest 5, and a percentage is computed
// from the rounded figures. Exact figures only when the caller is entitled to them.
#ifndef ENGAGEMENT_PROJECTIONS_SUPPRESSION_H_
#define ENGAGEMENT_PROJECTIONS_SUPPRESSION_H_

#include <cstdint>

#include "engagement/v1/reports.pb.h"

namespace projections {

inline constexpr uint64_t kLargestSuppressed = 7;

engagement::v1::PeopleCount CountPeople(uint64_t people, bool exact);

// part / whole in percent from the (rounded) values; 0 when either is suppressed or whole is 0.
double PercentOf(const engagement::v1::PeopleCount& part, const engagement::v1::PeopleCount& whole);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_SUPPRESSION_H_
