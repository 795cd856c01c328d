#include <gtest/gtest.h>

#include <pcgd/model/money.hpp>

using pcgd::model::Currency;
using pcgd::model::CurrencyMismatch;
using pcgd::model::Money;

namespace {
const Currency gbp = Currency::of("GBP");
const Currency eur = Currency::of("EUR");
const Currency jpy = Currency::of("JPY");
const Currency kwd = Currency::of("KWD");
}  // namespace

TEST(Currency, AcceptsOnlyThreeUpperCaseLetters) {
    EXPECT_EQ(Currency::of("GBP").code(), "GBP");
    EXPECT_FALSE(Currency::parse("gbp"));
    EXPECT_FALSE(Currency::parse("GB"));
    EXPECT_FALSE(Currency::parse("GBPX"));
    EXPECT_FALSE(Currency::parse("G1P"));
    EXPECT_THROW(Currency::of("€"), std::invalid_argument);
}

TEST(Currency, KnowsItsMinorUnitExponent) {
    EXPECT_EQ(gbp.exponent(), 2);
    EXPECT_EQ(jpy.exponent(), 0);
    EXPECT_EQ(kwd.exponent(), 3);
}

TEST(Money, ParsesDecimalStringsExactly) {
    EXPECT_EQ(Money::parse("199.00", gbp).minor, 19900);
    EXPECT_EQ(Money::parse("199", gbp).minor, 19900);
    EXPECT_EQ(Money::parse("0.1", gbp).minor, 10);
    EXPECT_EQ(Money::parse("-5.5", eur).minor, -550);
    EXPECT_EQ(Money::parse("+3.07", eur).minor, 307);
    EXPECT_EQ(Money::parse("2000.0", eur).minor, 200000);
    EXPECT_EQ(Money::parse("1234", jpy).minor, 1234);
    EXPECT_EQ(Money::parse("1.234", kwd).minor, 1234);
    // 0.1 + 0.2 is exactly 0.3 here, unlike in floating point.
    EXPECT_EQ((Money::parse("0.1", gbp) + Money::parse("0.2", gbp)).minor, Money::parse("0.3", gbp).minor);
}

TEST(Money, RoundsExtraDigitsHalfAwayFromZero) {
    EXPECT_EQ(Money::parse("123.456", eur).minor, 12346);
    EXPECT_EQ(Money::parse("123.454", eur).minor, 12345);
    EXPECT_EQ(Money::parse("-0.005", eur).minor, -1);
    EXPECT_EQ(Money::parse("0.0049", eur).minor, 0);
}

TEST(Money, RejectsWhatIsNotADecimal) {
    for (const char* bad : {"", "-", ".", "1.2.3", "12,50", "1e3", "abc", " 1", "1 ", "0x10", "--1"})
        EXPECT_FALSE(Money::try_parse(bad, gbp)) << bad;
    EXPECT_THROW(Money::parse("12,50", gbp), std::invalid_argument);
    EXPECT_FALSE(Money::try_parse("99999999999999999999", gbp));
}

TEST(Money, FormatsWithTheCurrencysDecimals) {
    EXPECT_EQ((Money{12345, gbp}).decimal(), "123.45");
    EXPECT_EQ((Money{-5, gbp}).decimal(), "-0.05");
    EXPECT_EQ((Money{0, eur}).decimal(), "0.00");
    EXPECT_EQ((Money{1234, jpy}).decimal(), "1234");
    EXPECT_EQ((Money{1, kwd}).decimal(), "0.001");
    EXPECT_EQ((Money{INT64_MIN, gbp}).decimal(), "-92233720368547758.08");
}

TEST(Money, ArithmeticKeepsCurrenciesApart) {
    Money a{1000, gbp};
    a += Money{250, gbp};
    EXPECT_EQ(a.minor, 1250);
    EXPECT_EQ((a - Money{1500, gbp}).minor, -250);
    EXPECT_EQ((Money{199, gbp}).times(3).minor, 597);
    EXPECT_EQ((-a).minor, -1250);
    EXPECT_THROW(a += (Money{1, eur}), CurrencyMismatch);
    try {
        (void)(a + Money{1, eur});
        FAIL();
    } catch (const CurrencyMismatch& e) {
        EXPECT_STREQ(e.what(), "cannot combine GBP with EUR without an exchange rate");
    }
}

TEST(Money, AnUntypedZeroAdoptsTheOtherCurrency) {
    Money sum;
    sum += Money{500, eur};
    EXPECT_EQ(sum.currency, eur);
    EXPECT_EQ(sum.minor, 500);
}

TEST(Money, OverflowIsAnErrorNotAWrap) {
    Money big{INT64_MAX, gbp};
    EXPECT_THROW(big += (Money{1, gbp}), std::overflow_error);
    EXPECT_THROW((void)big.times(2), std::overflow_error);
    Money small{INT64_MIN, gbp};
    EXPECT_THROW(small -= (Money{1, gbp}), std::overflow_error);
}
