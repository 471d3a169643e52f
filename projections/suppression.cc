#include "projections/suppression.h"

#include <string>

namespace projections {

engagement::v1::PeopleCount CountPeople(uint64_t people, bool exact) {
  engagement::v1::PeopleCount count;
  if (!exact && people >= 1 && people <= kLargestSuppressed) {
    count.set_display("*");
    count.set_suppressed(true);
    return count;
  }
  uint64_t value = exact ? people : (people + 2) / 5 * 5;
  count.set_value(value);
  count.set_display(std::to_string(value));
  return count;
}

double PercentOf(const engagement::v1::PeopleCount& part, const engagement::v1::PeopleCount& whole) {
  if (part.suppressed() || whole.suppressed() || whole.value() == 0) return 0;
  return 100.0 * static_cast<double>(part.value()) / static_cast<double>(whole.value());
}

}  // namespace projections
