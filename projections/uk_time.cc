#include "projections/uk_time.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace projections {
namespace {

struct Zone {
  absl::TimeZone zone;
  bool loaded = false;
};

const Zone& London() {
  static const Zone* zone = [] {
    auto* z = new Zone();
    z->loaded = absl::LoadTimeZone("Europe/London", &z->zone);
    return z;
  }();
  return *zone;
}

const absl::CivilDay kEpoch(1970, 1, 1);

}  // namespace

absl::Status CheckUkTimeZone() {
  if (London().loaded) return absl::OkStatus();
  return absl::InternalError(
      "the time zone Europe/London cannot be loaded: install the tz database (Debian package "
      "tzdata); reports count days as people in the UK do");
}

int64_t UkDayNumber(int64_t unix_seconds) {
  return absl::ToCivilDay(absl::FromUnixSeconds(unix_seconds), London().zone) - kEpoch;
}

int64_t UkDaysBetween(int64_t from, int64_t to) { return UkDayNumber(to) - UkDayNumber(from); }

int64_t UkMidnight(absl::CivilDay day) {
  return absl::ToUnixSeconds(absl::FromCivil(day, London().zone));
}

std::string FormatUkDay(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(unix_seconds), London().zone);
}

std::string FormatUkDate(int64_t unix_seconds) {
  absl::CivilDay day = absl::ToCivilDay(absl::FromUnixSeconds(unix_seconds), London().zone);
  static const char* const kMonths[] = {"January", "February", "March",     "April",
                                        "May",     "June",     "July",      "August",
                                        "September", "October", "November", "December"};
  return absl::StrCat(day.day(), " ", kMonths[day.month() - 1], " ", day.year());
}

absl::StatusOr<absl::CivilDay> ParseCivilDay(absl::string_view text, absl::string_view field) {
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be a date YYYY-MM-DD"));
  }
  return day;
}

}  // namespace projections
