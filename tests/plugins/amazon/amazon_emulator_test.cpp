#include <gtest/gtest.h>
TEST(AmazonEmulator, Placeholder) {}
