#include <gtest/gtest.h>

#include "apiserver/http.h"

namespace minik {
namespace {

TEST(CaseInsensitiveLess, OrdersIgnoringCase) {
  CaseInsensitiveLess less;
  EXPECT_FALSE(less("Content-Type", "content-type"));
  EXPECT_FALSE(less("content-type", "Content-Type"));
  EXPECT_TRUE(less("accept", "Content-Type"));
  EXPECT_TRUE(less("A", "b"));
  EXPECT_TRUE(less("", "a"));
}

TEST(HttpRequest, HeaderLookupIgnoresCase) {
  HttpRequest r;
  r.headers["Content-Type"] = "application/json";
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r.Header("Accept"), "");
}

TEST(HttpRequest, QueryReturnsFirstValue) {
  HttpRequest r;
  r.query.emplace("a", "1");
  r.query.emplace("b", "x");
  r.query.emplace("a", "2");
  EXPECT_EQ(r.Query("a"), "1");
  EXPECT_EQ(r.Query("b"), "x");
  EXPECT_EQ(r.Query("c"), "");
  EXPECT_TRUE(r.HasQuery("b"));
  EXPECT_FALSE(r.HasQuery("c"));
}

TEST(PercentDecode, DecodesEscapes) {
  std::string out;
  ASSERT_TRUE(PercentDecode("a%20b%2Fc%2fd", false, out));
  EXPECT_EQ(out, "a b/c/d");
  ASSERT_TRUE(PercentDecode("a+b", false, out));
  EXPECT_EQ(out, "a+b");
  ASSERT_TRUE(PercentDecode("a+b", true, out));
  EXPECT_EQ(out, "a b");
  ASSERT_TRUE(PercentDecode("", true, out));
  EXPECT_EQ(out, "");
  ASSERT_TRUE(PercentDecode("%00x", false, out));
  EXPECT_EQ(out, std::string("\0x", 2));
}

TEST(PercentDecode, RejectsBadEscapes) {
  std::string out;
  EXPECT_FALSE(PercentDecode("%", false, out));
  EXPECT_FALSE(PercentDecode("a%2", false, out));
  EXPECT_FALSE(PercentDecode("%zz", false, out));
  EXPECT_FALSE(PercentDecode("%g0", true, out));
}

HttpRequest Parsed(const std::string& target) {
  HttpRequest r;
  r.target = target;
  Status s = ParseTarget(r);
  EXPECT_TRUE(s.ok()) << target << ": " << s.message();
  return r;
}

TEST(ParseTarget, SplitsPathAndQuery) {
  HttpRequest r = Parsed("/api/v1/namespaces/default/pods?limit=500&labelSelector=app%3Dweb");
  EXPECT_EQ(r.path, "/api/v1/namespaces/default/pods");
  EXPECT_EQ(r.Query("limit"), "500");
  EXPECT_EQ(r.Query("labelSelector"), "app=web");
}

TEST(ParseTarget, DecodesPathButNotPlus) {
  HttpRequest r = Parsed("/api/v1/a%20b+c");
  EXPECT_EQ(r.path, "/api/v1/a b+c");
}

TEST(ParseTarget, QueryPlusIsSpaceAndRepeatsKeepOrder) {
  HttpRequest r = Parsed("/x?fieldSelector=a+b&w=1&w=2&flag&=v&&k=");
  EXPECT_EQ(r.Query("fieldSelector"), "a b");
  auto [b, e] = r.query.equal_range("w");
  ASSERT_EQ(std::distance(b, e), 2);
  EXPECT_EQ(b->second, "1");
  EXPECT_EQ(std::next(b)->second, "2");
  EXPECT_TRUE(r.HasQuery("flag"));
  EXPECT_EQ(r.Query("flag"), "");
  EXPECT_TRUE(r.HasQuery(""));
  EXPECT_TRUE(r.HasQuery("k"));
}

TEST(ParseTarget, DropsQueryPairsWithBadEscapes) {
  HttpRequest r = Parsed("/x?a=%zz&b=2&%=3");
  EXPECT_FALSE(r.HasQuery("a"));
  EXPECT_EQ(r.Query("b"), "2");
  EXPECT_EQ(r.query.size(), 1u);
}

TEST(ParseTarget, AbsoluteForm) {
  HttpRequest r = Parsed("https://127.0.0.1:8443/api?timeout=32s");
  EXPECT_EQ(r.path, "/api");
  EXPECT_EQ(r.Query("timeout"), "32s");
  EXPECT_EQ(Parsed("HTTP://host").path, "/");
  EXPECT_EQ(Parsed("http://host?x=1").path, "/");
}

TEST(ParseTarget, RootAndEmptyQuery) {
  EXPECT_EQ(Parsed("/").path, "/");
  HttpRequest r = Parsed("/?");
  EXPECT_EQ(r.path, "/");
  EXPECT_TRUE(r.query.empty());
  EXPECT_EQ(Parsed("/a#frag").path, "/a");
}

TEST(ParseTarget, ReplacesPreviousQuery) {
  HttpRequest r;
  r.query.emplace("old", "1");
  r.target = "/x?new=2";
  ASSERT_TRUE(ParseTarget(r).ok());
  EXPECT_FALSE(r.HasQuery("old"));
  EXPECT_EQ(r.Query("new"), "2");
}

TEST(ParseTarget, RejectsBadTargets) {
  for (const char* target : {"", "*", "api/v1", "/a%zzb", "/a%", "?x=1"}) {
    HttpRequest r;
    r.target = target;
    Status s = ParseTarget(r);
    EXPECT_EQ(s.code(), Code::kBadRequest) << target;
  }
}

}  // namespace
}  // namespace minik
