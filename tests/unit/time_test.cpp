#include <gtest/gtest.h>

#include <pcgd/model/time.hpp>

using namespace pcgd::model;

TEST(Time, ParsesUtcAndOffsets) {
    EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
    EXPECT_EQ(parse_iso8601("2026-01-31T23:30:00Z"), 1769902200000);
    // Shopify REST gives the shop's offset.
    EXPECT_EQ(parse_iso8601("2008-01-10T11:00:00-05:00"), parse_iso8601("2008-01-10T16:00:00Z"));
    EXPECT_EQ(parse_iso8601("2026-03-29T02:30:00+0100"), parse_iso8601("2026-03-29T01:30:00Z"));
    EXPECT_EQ(parse_iso8601("2026-01-31T23:30:00.123Z"), 1769902200123);
    EXPECT_EQ(parse_iso8601("2026-01-31T23:30:00.1234567Z"), 1769902200123);
    EXPECT_EQ(parse_iso8601("2026-01-31"), 1769817600000);
}

TEST(Time, ZonelessTimestampsOnlyWhenAskedFor) {
    // WooCommerce's *_gmt fields carry no suffix.
    EXPECT_FALSE(parse_iso8601("2026-01-31T23:30:00"));
    EXPECT_EQ(parse_iso8601("2026-01-31T23:30:00", NoZone::utc), 1769902200000);
    EXPECT_EQ(parse_iso8601("2026-01-31 23:30:00", NoZone::utc), 1769902200000);
}

TEST(Time, RejectsImpossibleDates) {
    for (const char* bad : {"2026-02-30T00:00:00Z", "2025-02-29", "2026-13-01", "2026-01-01T24:00:00Z", "2026-01-01T10:60Z",
                            "2026-1-01", "", "yesterday", "2026-01-01T10:00:00+25:00", "2026-01-01T10:00:00Zjunk"})
        EXPECT_FALSE(parse_iso8601(bad)) << bad;
    EXPECT_TRUE(parse_iso8601("2024-02-29"));
    EXPECT_THROW(parse_iso8601_or_throw("nope"), std::invalid_argument);
}

TEST(Time, FormatsUtc) {
    EXPECT_EQ(format_iso8601(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(format_iso8601(1769902200000), "2026-01-31T23:30:00Z");
    EXPECT_EQ(format_iso8601(1769902200123), "2026-01-31T23:30:00.123Z");
    EXPECT_EQ(format_iso8601(-1), "1969-12-31T23:59:59.999Z");
    EXPECT_EQ(format_date(0), "1970-01-01");
    EXPECT_EQ(parse_date("2026-11-29"), 20786);
    EXPECT_FALSE(parse_date("2026-11-29T00:00:00Z"));
}

TEST(Time, CivilConversionsRoundTripOverCenturies) {
    for (std::int64_t day = -200000; day <= 200000; day += 37) {
        const CivilDate c = civil_from_days(day);
        ASSERT_EQ(days_from_civil(c.year, c.month, c.day), day);
    }
}
