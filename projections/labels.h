// Labels: the plain English a person reads for every code a report shows, in one table.
//
// Reports keep the codes (enum value names such as ETHNIC_CATEGORY_D_WHITE_BLACK_CARIBBEAN) for
// machines and show labels to people: HTML, the CSV's label column, "you said, we did". Ethnic
// categories use the NHS Data Dictionary's names; everything else says what it is in the words
// the engagement team would use. tests/unit/labels_test.cc checks that every value of every enum
// a report shows has a label.
#ifndef ENGAGEMENT_PROJECTIONS_LABELS_H_
#define ENGAGEMENT_PROJECTIONS_LABELS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace projections {

// The group of people whose personal data was erased (reports.md).
inline constexpr char kErasedCode[] = "ERASED";

// The label of a code: an enum value's name, or one of the report's own codes (ERASED). A code
// with no label is returned as it is (the test makes sure none is missing).
std::string LabelOf(absl::string_view code);

// The code of an enum value ("SPECTRUM_LEVEL_INFORM"), or its number when it has no name.
std::string CodeOf(const google::protobuf::EnumDescriptor* type, int value);

// Every enum whose values appear in a report or a form of the console, for the test.
std::vector<const google::protobuf::EnumDescriptor*> ReportedEnums();

}  // namespace projections

#endif  // ENGAGEMENT_PROJECTIONS_LABELS_H_
