#include <gtest/gtest.h>
TEST(AmazonPlugin, Placeholder) {}
