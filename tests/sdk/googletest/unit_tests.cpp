// SPDX-License-Identifier: MIT
// Ordinary GoogleTest and GoogleMock tests (tests/sdk/check-googletest builds and runs them).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

TEST(Arithmetic, Adds) { EXPECT_EQ(2 + 2, 4); }

TEST(Strings, Matchers) { EXPECT_THAT(std::string("unikernel"), ::testing::HasSubstr("kern")); }

// Runs in the data directory (gtest_discover_tests' WORKING_DIRECTORY, shared with the guest).
TEST(Files, ReadsItsDataFile)
{
    std::ifstream in("input.txt");
    std::string word;
    ASSERT_TRUE(in >> word);
    EXPECT_EQ(word, "fixture");
}

class Source {
public:
    virtual ~Source() = default;
    virtual int next() = 0;
};

class MockSource : public Source {
public:
    MOCK_METHOD(int, next, (), (override));
};

TEST(Mocks, CallsAreCounted)
{
    MockSource source;
    EXPECT_CALL(source, next()).Times(3).WillRepeatedly(::testing::Return(7));
    std::vector<int> got;
    for (int i = 0; i < 3; ++i)
        got.push_back(source.next());
    EXPECT_THAT(got, ::testing::ElementsAre(7, 7, 7));
}

TEST(Exceptions, AreCaught) { EXPECT_THROW(throw std::runtime_error("x"), std::runtime_error); }
