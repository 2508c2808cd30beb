#include "stix/object_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tabadul::stix {
namespace {

struct Drained {
  std::vector<std::string> raws;
  Status error;  // OK when the stream ended normally
};

Drained Drain(ObjectStream& stream) {
  Drained d;
  std::string_view raw;
  while (true) {
    Result<bool> more = stream.Next(&raw);
    if (!more.ok()) {
      d.error = more.status();
      break;
    }
    if (!*more) break;
    d.raws.emplace_back(raw);
  }
  return d;
}

constexpr std::string_view kBundle =
    R"({"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[)"
    R"({"type":"x-a","n":1}, {"type":"x-b","list":[{"k":"v"}]}]})";

TEST(ObjectStreamTest, BundleYieldsRawElements) {
  auto stream = ObjectStream::Open(kBundle);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  EXPECT_EQ((*stream)->container(), ObjectStream::Container::kBundle);
  EXPECT_EQ((*stream)->bundle_id(), "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d");
  Drained d = Drain(**stream);
  EXPECT_TRUE(d.error.ok()) << d.error.ToString();
  EXPECT_EQ(d.raws, (std::vector<std::string>{R"({"type":"x-a","n":1})",
                                               R"({"type":"x-b","list":[{"k":"v"}]})"}));
  std::string_view raw;
  Result<bool> again = (*stream)->Next(&raw);  // stays at the end
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
}

TEST(ObjectStreamTest, EnvelopeWithMoreAndNext) {
  auto stream = ObjectStream::Open(R"({"more":true,"next":"abc","objects":[{"a":1}]})");
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ((*stream)->container(), ObjectStream::Container::kEnvelope);
  EXPECT_TRUE((*stream)->more());
  EXPECT_EQ((*stream)->next(), "abc");
  EXPECT_EQ(Drain(**stream).raws.size(), 1u);
}

TEST(ObjectStreamTest, FieldsAfterObjectsAreReadAtTheEnd) {
  auto stream = ObjectStream::Open(R"({"objects":[{"a":1}],"more":true,"next":"n2"})");
  ASSERT_TRUE(stream.ok());
  Drained d = Drain(**stream);
  EXPECT_TRUE(d.error.ok());
  EXPECT_TRUE((*stream)->more());
  EXPECT_EQ((*stream)->next(), "n2");
}

TEST(ObjectStreamTest, EmptyAndAbsentObjects) {
  for (std::string_view text : {R"({})", R"({"objects":[]})", R"({"more":false})"}) {
    auto stream = ObjectStream::Open(text);
    ASSERT_TRUE(stream.ok()) << text;
    Drained d = Drain(**stream);
    EXPECT_TRUE(d.error.ok()) << text;
    EXPECT_TRUE(d.raws.empty()) << text;
  }
}

TEST(ObjectStreamTest, BadContainersAreRefused) {
  for (std::string_view text : {
           R"([])", R"("x")", R"({"objects":{}})", R"({"type":"indicator","objects":[]})",
           R"({"type":"bundle","id":"bundle--nope","objects":[]})",
           R"({"type":"bundle","id":"report--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[]})",
           R"({"more":"yes","objects":[]})", R"({"next":5,"objects":[]})", R"({"objects":[)",
           "", "{\"objects\":[\"\xff\"]}"}) {
    auto stream = ObjectStream::Open(text);
    if (!stream.ok()) {
      EXPECT_EQ(stream.status().code(), StatusCode::kInvalidArgument) << text;
      continue;
    }
    Drained d = Drain(**stream);
    EXPECT_FALSE(d.error.ok()) << text;
    EXPECT_EQ(d.error.code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(ObjectStreamTest, BundleWithoutIdFailsAtTheEnd) {
  auto stream = ObjectStream::Open(R"({"type":"bundle","objects":[{"a":1}]})");
  ASSERT_TRUE(stream.ok());
  Drained d = Drain(**stream);
  EXPECT_EQ(d.raws.size(), 1u);
  EXPECT_FALSE(d.error.ok());
}

TEST(ObjectStreamTest, GoodElementsComeBeforeTheError) {
  for (std::string_view text : {R"({"objects":[{"a":1},{"b":2},3,{"c":4}]})",
                                R"({"objects":[{"a":1},{"b":2},"s",{"c":4}]})",
                                R"({"objects":[{"a":1},{"b":2},{"c" 1},{"d":4}]})"}) {
    auto stream = ObjectStream::Open(text);
    ASSERT_TRUE(stream.ok()) << text;
    Drained d = Drain(**stream);
    EXPECT_EQ(d.raws, (std::vector<std::string>{R"({"a":1})", R"({"b":2})"})) << text;
    EXPECT_FALSE(d.error.ok()) << text;
    std::string_view raw;
    Result<bool> after = (*stream)->Next(&raw);  // finished after an error
    ASSERT_TRUE(after.ok());
    EXPECT_FALSE(*after);
  }
}

TEST(ObjectStreamTest, BalancedButMalformedElementIsLeftToParseObject) {
  auto stream = ObjectStream::Open(R"({"objects":[{"a":1},{"c":[}],{"d":2}]})");
  ASSERT_TRUE(stream.ok());
  Drained d = Drain(**stream);
  EXPECT_TRUE(d.error.ok());
  EXPECT_EQ(d.raws, (std::vector<std::string>{R"({"a":1})", R"({"c":[}])", R"({"d":2})"}));
}

TEST(ObjectStreamTest, TrailingDocumentIsRefusedAfterTheElements) {
  auto stream = ObjectStream::Open(R"({"objects":[{"a":1}]} {"objects":[{"b":2}]})");
  ASSERT_TRUE(stream.ok());
  Drained d = Drain(**stream);
  EXPECT_EQ(d.raws, (std::vector<std::string>{R"({"a":1})"}));
  EXPECT_FALSE(d.error.ok());
  auto trailing_space = ObjectStream::Open("{\"objects\":[{\"a\":1}]} \n ");
  ASSERT_TRUE(trailing_space.ok());
  EXPECT_TRUE(Drain(**trailing_space).error.ok());
}

TEST(ObjectStreamTest, TruncatedDocumentFailsAtOpen) {
  auto stream = ObjectStream::Open(R"({"objects":[{"a":1},{"b":2},{"c":)");
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), StatusCode::kInvalidArgument);
}

TEST(ObjectStreamTest, DepthLimitPerElement) {
  auto element = [](int depth) {
    return R"({"a":)" + std::string(depth - 1, '[') + "1" + std::string(depth - 1, ']') + "}";
  };
  std::string ok = R"({"objects":[)" + element(ObjectStream::kMaxDepth) + "]}";
  std::string deep = R"({"objects":[{"x":1},)" + element(ObjectStream::kMaxDepth + 1) + "]}";
  auto s1 = ObjectStream::Open(ok);
  ASSERT_TRUE(s1.ok());
  EXPECT_TRUE(Drain(**s1).error.ok());
  auto s2 = ObjectStream::Open(deep);
  ASSERT_TRUE(s2.ok());
  Drained d = Drain(**s2);
  EXPECT_EQ(d.raws.size(), 1u);
  EXPECT_FALSE(d.error.ok());
  // Brackets inside strings do not count.
  std::string strings = R"({"objects":[{"s":")" + std::string(500, '[') + R"(\"["}]})";
  auto s3 = ObjectStream::Open(strings);
  ASSERT_TRUE(s3.ok());
  EXPECT_TRUE(Drain(**s3).error.ok());
}

TEST(ObjectStreamTest, OpenPaddedDoesNotCopy) {
  std::string text(kBundle);
  text.reserve(text.size() + ObjectStream::kPadding);
  auto stream = ObjectStream::OpenPadded(text);
  ASSERT_TRUE(stream.ok());
  std::string_view raw;
  ASSERT_TRUE(*(*stream)->Next(&raw));
  EXPECT_GE(raw.data(), text.data());
  EXPECT_LT(raw.data(), text.data() + text.size());
}

}  // namespace
}  // namespace tabadul::stix
