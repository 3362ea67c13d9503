// The scenario-grid helper (grid.h): parsing, spacing and its errors.
#include "grid.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "linecrew/planner/planner.h"

namespace linecrew::planner::testing {
namespace {

// The message of the std::invalid_argument that grid(text) throws ("" when none).
std::string error_of(std::string_view text, double cell = 1.0) {
  try {
    grid(text, cell);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(ScenarioGrid, NamesArePlacedByRowAndColumn) {
  const Grid g = grid(R"(
    A . T2
    . B .
  )");
  EXPECT_EQ(g.points().size(), 3u);
  EXPECT_EQ(g["A"], GeoPoint(0, 0));
  EXPECT_EQ(g["T2"], GeoPoint(0, 2));
  EXPECT_EQ(g["B"], GeoPoint(1, 1));
}

TEST(ScenarioGrid, ANameOfAnyLengthTakesOneCellAndSpacingIsFree) {
  const Grid g = grid("FAR . X_1\t.  Y");
  EXPECT_EQ(g["FAR"], GeoPoint(0, 0));
  EXPECT_EQ(g["X_1"], GeoPoint(0, 2));
  EXPECT_EQ(g["Y"], GeoPoint(0, 4));
}

TEST(ScenarioGrid, OneStepIsOneMinuteOnTheScenarioTravelModel) {
  const CartesianTravelModel travel(60.0);
  const Grid g = grid(R"(
    A . . . .
    . . . . .
    . . . . .
    . . . . B
  )");
  const Grid row = grid("C . . D");
  EXPECT_EQ(travel.duration(g["A"], g["B"]), minutes(5));  // 3 rows down, 4 columns across
  EXPECT_EQ(travel.duration(row["C"], row["D"]), minutes(3));
}

TEST(ScenarioGrid, CellSetsTheSpacing) {
  const Grid g = grid("A . B . . . . . . . T", 10);
  EXPECT_EQ(g["B"], GeoPoint(0, 20));
  EXPECT_EQ(g["T"], GeoPoint(0, 100));
  EXPECT_EQ(grid(". .\n. P", 0.5)["P"], GeoPoint(0.5, 0.5));
}

TEST(ScenarioGrid, AMissingNameIsAnError) {
  const Grid g = grid("A . T");
  EXPECT_THROW(g["B"], std::out_of_range);
}

TEST(ScenarioGrid, MalformedGridsNameTheLineAndColumn) {
  EXPECT_EQ(error_of("A . T"), "");
  EXPECT_EQ(error_of("A . T\n. B A"), "grid line 2 column 5: duplicate name 'A' (first at line 1 column 1): \". B A\"");
  EXPECT_EQ(error_of("A # T"),
            "grid line 1 column 3: unexpected character '#' (a cell is '.' or a name of letters, digits and '_'): "
            "\"A # T\"");
  EXPECT_NE(error_of("A . T.").find("line 1 column 6: unexpected character '.'"), std::string::npos);
  EXPECT_NE(error_of("A, T").find("line 1 column 2: unexpected character ','"), std::string::npos);
  EXPECT_EQ(error_of("A . T\n. B"), "grid line 2 column 4: row has 2 cells, the first row has 3: \". B\"");
  EXPECT_EQ(error_of("A .\n. B T"), "grid line 2 column 5: row has 3 cells, the first row has 2: \". B T\"");
  EXPECT_EQ(error_of("\nA .\n\n. B\n"), "grid line 3 column 1: blank row (draw an empty row as dots): \"\"");
  EXPECT_EQ(error_of(" \n  \n"), "grid has no rows");
  EXPECT_EQ(error_of(""), "grid has no rows");
  EXPECT_EQ(error_of("A . B", 0), "grid cell size must be a positive number");
  EXPECT_NE(error_of("A . B", 100).find("line 1 column 5: point outside GeoPoint's range"), std::string::npos);
}

}  // namespace
}  // namespace linecrew::planner::testing
