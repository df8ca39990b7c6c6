// Quantities from fuzz/quantity: no overflow on big binary suffixes, and a canonical form is
// always a fixed point (it parses again to itself) or there is none.
#include <gtest/gtest.h>

#include <string>

#include "api/resources/quantity.h"

namespace minik::res {
namespace {

TEST(QuantityHostile, HugeBinaryValuesAreOutOfRangeWithoutOverflow) {
  // 30 significant digits times 2^60 overflowed an int128 while doubling.
  EXPECT_FALSE(CanonicalQuantity("999999999999999999999999999999Ei").has_value());
  EXPECT_FALSE(CanonicalQuantity("0940.89894000079Ei").has_value());
  EXPECT_EQ(CanonicalQuantity("1Ei"), "1Ei");
  EXPECT_EQ(CanonicalQuantity("1024Pi"), "1Ei");
}

TEST(QuantityHostile, CanonicalFormsAreFixedPoints) {
  for (const char* text : {"840000000000000000840000000000000G", "8400000000000000000000000000000000G",
                           ".9984080007509.20005Ti", "500m", "1.5Gi", "0.0001", "1e3",
                           "123456789012345678901234567890", "12345678901234567890123456789e-9",
                           "999999999999999999999999999999k", "-1.5Ki"}) {
    for (bool milli : {false, true}) {
      std::optional<std::string> c = CanonicalQuantity(text, milli);
      if (!c) continue;
      EXPECT_EQ(CanonicalQuantity(*c, milli), c) << text << " milli=" << milli;
    }
  }
  EXPECT_EQ(CanonicalQuantity("1.5Gi"), "1536Mi");
  EXPECT_EQ(CanonicalQuantity("0.0001", true), "1m");
}

}  // namespace
}  // namespace minik::res
