// Days as people in the UK count them: calendar days in Europe/London.
//
// A report's period runs from local midnight of its first day to local midnight after its last;
// a duration is the number of calendar days between the days two things happened, so an insight
// heard on Tuesday evening and decided on Wednesday morning took 1 day, whatever the hours, and
// British Summer Time changes nothing. The time zone comes from the system's tz database
// (Debian's tzdata); without it, reports fail with a message saying so rather than count in UTC.
#ifndef ENGAGEMENT_PROJECTIONS_UK_TIME_H_
#define ENGAGEMENT_PROJECTIONS_UK_TIME_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace projections {

// Whether Europe/London could be loaded; the reports check it first.
absl::Status CheckUkTimeZone();

// The UK calendar day of a Unix time, as days since 1970-01-01.
int64_t UkDayNumber(int64_t unix_seconds);
// Whole calendar days from the day of `from` to the day of `to` (negative when earlier).
int64_t UkDaysBetween(int64_t from, int64_t to);
// The Unix time of local midnight at the start of `day`.
int64_t UkMidnight(absl::CivilDay day);
// "YYYY-MM-DD", the UK calendar day of a Unix time.
std::string FormatUkDay(int64_t unix_seconds);
// "1 June 2025", the UK calendar day of a Unix time as people write it.
std::string FormatUkDate(int64_t unix_seconds);
// Parses "YYYY-MM-DD". INVALID_ARGUMENT naming `field`.
absl::StatusOr<absl::CivilDay> ParseCivilDay(absl::string_view text, absl::string_view field);

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_UK_TIME_H_
