// SPDX-License-Identifier: MIT
// Uses the installed GoogleTest and GoogleMock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

class Store {
public:
    virtual ~Store() = default;
    virtual std::string get(int key) = 0;
};

class MockStore : public Store {
public:
    MOCK_METHOD(std::string, get, (int key), (override));
};

TEST(Consumer, Matchers) {
    std::vector<int> values{1, 2, 3};
    EXPECT_THAT(values, ::testing::ElementsAre(1, 2, 3));
}

TEST(Consumer, Mock) {
    MockStore store;
    EXPECT_CALL(store, get(7)).WillOnce(::testing::Return("seven"));
    EXPECT_EQ(store.get(7), "seven");
}

} // namespace
