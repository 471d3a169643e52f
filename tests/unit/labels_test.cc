// The one table of labels: every code a report shows has plain English, and the ethnic
// categories read as the NHS Data Dictionary names them.
#include "projections/labels.h"

#include "engagement/v1/vocabulary.pb.h"
#include "gtest/gtest.h"

namespace projections {
namespace {

TEST(LabelsTest, EveryValueOfEveryReportedEnumHasALabel) {
  int values = 0;
  for (const auto* type : ReportedEnums()) {
    for (int i = 0; i < type->value_count(); ++i) {
      const auto* value = type->value(i);
      if (value->number() == 0 && type != engagement::v1::PpvRoleType_descriptor()) continue;
      std::string label = LabelOf(value->name());
      EXPECT_NE(label, value->name()) << value->name() << " has no label";
      EXPECT_FALSE(label.empty());
      EXPECT_EQ(label.find('_'), std::string::npos) << label;
      ++values;
    }
  }
  EXPECT_GT(values, 80);
  EXPECT_NE(LabelOf(kErasedCode), kErasedCode);
}

TEST(LabelsTest, CodesReadAsPeopleWriteThem) {
  EXPECT_EQ(LabelOf("ETHNIC_CATEGORY_D_WHITE_BLACK_CARIBBEAN"), "Mixed: White and Black Caribbean");
  EXPECT_EQ(LabelOf("ETHNIC_CATEGORY_M_CARIBBEAN"), "Black or Black British: Caribbean");
  EXPECT_EQ(LabelOf("ETHNIC_CATEGORY_Z_NOT_STATED"), "Not stated");
  EXPECT_EQ(LabelOf("ENGAGEMENT_METHOD_PPG_MEETING"), "Patient participation group meeting");
  EXPECT_EQ(LabelOf("SPECTRUM_LEVEL_CO_PRODUCE"), "Co-produce");
  EXPECT_EQ(LabelOf("COMMISSIONING_STAGE_SERVICE_DESIGN"), "Service design and procurement");
  EXPECT_EQ(LabelOf("REIMBURSEMENT_CATEGORY_CARE_COVER"), "Carer or childcare cover");
  EXPECT_EQ(LabelOf("PPV_ROLE_TYPE_4"), "Role type 4: senior strategic role (paid involvement)");
  EXPECT_EQ(LabelOf("not a code"), "not a code");
}

}  // namespace
}  // namespace projections
