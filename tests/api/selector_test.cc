#include "api/selector.h"

#include <gtest/gtest.h>

#include <map>

namespace minik {
namespace {

std::string ParseError(const std::string& s) {
  auto r = LabelSelector::Parse(s);
  if (r.ok()) return "<ok>";
  EXPECT_EQ(r.status().code(), Code::kBadRequest);
  return r.status().message();
}

std::string Canonical(const std::string& s) {
  auto r = LabelSelector::Parse(s);
  if (!r.ok()) return "<error: " + r.status().message() + ">";
  return r->String();
}

TEST(LabelSelectorTest, ParsesAndCanonicalizes) {
  EXPECT_EQ(Canonical(""), "");
  EXPECT_TRUE(LabelSelector::Parse("")->Empty());
  EXPECT_EQ(Canonical("a=b"), "a=b");
  EXPECT_EQ(Canonical("a==b"), "a=b");
  EXPECT_EQ(Canonical("a!=b"), "a!=b");
  EXPECT_EQ(Canonical(" a = b , c != d "), "a=b,c!=d");
  EXPECT_EQ(Canonical("z,!y,x in (c,b,a),w notin (q)"), "w notin (q),x in (a,b,c),!y,z");
  EXPECT_EQ(Canonical("x in (foo,,baz),y,z notin ()"), "x in (,baz,foo),y,z notin ()");
  EXPECT_EQ(Canonical("a="), "a=");
  EXPECT_EQ(Canonical("a=,b=c"), "a=,b=c");
  EXPECT_EQ(Canonical("in in (in,notin)"), "in in (in,notin)");
  EXPECT_EQ(Canonical("a in (b,b)"), "a in (b)");
  EXPECT_EQ(Canonical("app.kubernetes.io/name=web"), "app.kubernetes.io/name=web");
  EXPECT_EQ(Canonical("a>5,b<3"), "a>5,b<3");
  EXPECT_EQ(Canonical("a\tin\n(b)"), "a in (b)");
}

TEST(LabelSelectorTest, ErrorsWordedLikeApimachinery) {
  EXPECT_EQ(ParseError("a in"), "unable to parse requirement: found '' expected: '('");
  EXPECT_EQ(ParseError("a in b"), "unable to parse requirement: found 'b' expected: '('");
  EXPECT_EQ(ParseError("a in (b"), "unable to parse requirement: found '', expected: ',' or ')'");
  EXPECT_EQ(ParseError("a in (b c)"),
            "unable to parse requirement: found 'c', expected: ',' or ')'");
  EXPECT_EQ(ParseError("a in (=)"),
            "unable to parse requirement: found '=', expected: ',', ')' or identifier");
  EXPECT_EQ(ParseError("a in (b,=)"),
            "unable to parse requirement: found '=', expected: ',', or identifier");
  EXPECT_EQ(ParseError("a b"),
            "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt");
  EXPECT_EQ(ParseError("a=b c"), "found 'c', expected: ',' or 'end of string'");
  EXPECT_EQ(ParseError("a=b,"), "found '', expected: identifier after ','");
  EXPECT_EQ(ParseError("a=b,,c"), "found ',', expected: identifier after ','");
  EXPECT_EQ(ParseError(",a"), "found ',', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(ParseError("=a"), "found '=', expected: !, identifier, or 'end of string'");
  EXPECT_EQ(ParseError("!"), "unable to parse requirement: found '', expected: identifier");
  EXPECT_EQ(ParseError("!a=b"), "found '=', expected: ',' or 'end of string'");
  EXPECT_EQ(ParseError("a=(b)"), "unable to parse requirement: found '(', expected: identifier");
  EXPECT_EQ(ParseError("bad key=x").substr(0, 54),
            "unable to parse requirement: found 'key', expected: in");
  EXPECT_EQ(ParseError("-a=b"),
            "unable to parse requirement: <nil>: Invalid value: \"-a\": name part must consist "
            "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
            "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "
            "for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  EXPECT_EQ(ParseError("a=-b"),
            "unable to parse requirement: values[0][a]: Invalid value: \"-b\": a valid label "
            "must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
            "and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
            "'my_value',  or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  std::string two = ParseError("a in (-b,-c)");
  EXPECT_EQ(two.substr(0, 44), "unable to parse requirement: [values[0][a]: ");
  EXPECT_NE(two.find(", values[1][a]: Invalid value: \"-c\""), std::string::npos) << two;
  EXPECT_EQ(ParseError("a>x"),
            "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' "
            "operators, the value must be an integer");
  // Hostile input: long and odd selectors fail cleanly.
  EXPECT_NE(ParseError(std::string(100000, '(')), "<ok>");
  EXPECT_NE(ParseError(std::string(100000, '!')), "<ok>");
  EXPECT_NE(ParseError(std::string("a=\0b", 4)), "<ok>");
}

Json L(std::map<std::string, std::string> m) {
  Json j = Json::object();
  for (auto& [k, v] : m) j[k] = v;
  return j;
}

TEST(LabelSelectorTest, Matches) {
  auto sel = LabelSelector::Parse("app=web,tier!=db,env in (prod,stage),!legacy,owner");
  ASSERT_TRUE(sel.ok());
  EXPECT_TRUE(sel->Matches(L({{"app", "web"}, {"env", "prod"}, {"owner", "x"}})));
  EXPECT_TRUE(sel->Matches(L({{"app", "web"}, {"env", "stage"}, {"owner", ""}, {"tier", "fe"}})));
  EXPECT_FALSE(sel->Matches(L({{"app", "web"}, {"env", "dev"}, {"owner", "x"}})));
  EXPECT_FALSE(sel->Matches(L({{"app", "web"}, {"env", "prod"}, {"owner", "x"}, {"tier", "db"}})));
  EXPECT_FALSE(sel->Matches(L({{"app", "web"}, {"env", "prod"}, {"owner", "x"}, {"legacy", ""}})));
  EXPECT_FALSE(sel->Matches(L({{"app", "web"}, {"env", "prod"}})));
  EXPECT_FALSE(sel->Matches(Json()));
  EXPECT_FALSE(sel->Matches(Json::array()));

  auto notin = LabelSelector::Parse("a notin (x)");
  EXPECT_TRUE(notin->Matches(Json()));
  EXPECT_TRUE(notin->Matches(L({{"a", "y"}})));
  EXPECT_FALSE(notin->Matches(L({{"a", "x"}})));
  EXPECT_TRUE(LabelSelector::Parse("")->Matches(Json()));

  auto gt = LabelSelector::Parse("n>5");
  EXPECT_TRUE(gt->Matches(L({{"n", "6"}})));
  EXPECT_FALSE(gt->Matches(L({{"n", "5"}})));
  EXPECT_FALSE(gt->Matches(L({{"n", "x"}})));
  EXPECT_TRUE(LabelSelector::Parse("n<5")->Matches(L({{"n", "-3"}})));
  // Non-string label values count as absent.
  EXPECT_FALSE(LabelSelector::Parse("a")->Matches(Json::parse(R"({"a":1})")));
}

TEST(LabelSelectorTest, FromJson) {
  auto sel = LabelSelector::FromJson(Json::parse(R"({"matchLabels":{"b":"2","a":"1"},
      "matchExpressions":[{"key":"c","operator":"In","values":["y","x"]},
                          {"key":"d","operator":"DoesNotExist"},
                          {"key":"a","operator":"Exists"}]})"));
  ASSERT_TRUE(sel.ok()) << sel.status().message();
  EXPECT_EQ(sel->String(), "a=1,a,b=2,c in (x,y),!d");
  EXPECT_TRUE(sel->Matches(L({{"a", "1"}, {"b", "2"}, {"c", "x"}})));
  EXPECT_FALSE(sel->Matches(L({{"a", "1"}, {"b", "2"}, {"c", "z"}})));

  EXPECT_TRUE(LabelSelector::FromJson(Json())->Empty());
  EXPECT_TRUE(LabelSelector::FromJson(Json::object())->Empty());

  auto bad = LabelSelector::FromJson(
      Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Foo","values":["x"]}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "\"Foo\" is not a valid label selector operator");
  bad = LabelSelector::FromJson(
      Json::parse(R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't "
            "be empty");
  bad = LabelSelector::FromJson(
      Json::parse(R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does "
            "not exist");
  bad = LabelSelector::FromJson(Json::parse(R"({"matchLabels":{"bad key":"x"}})"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message().substr(0, 38), "key: Invalid value: \"bad key\": name pa");
  for (const char* hostile :
       {R"("x")", R"({"matchLabels":[1]})", R"({"matchLabels":{"a":1}})",
        R"({"matchExpressions":{}})", R"({"matchExpressions":[1]})",
        R"({"matchExpressions":[{"key":1,"operator":"Exists"}]})",
        R"({"matchExpressions":[{"key":"a","operator":5}]})",
        R"({"matchExpressions":[{"key":"a","operator":"In","values":"x"}]})",
        R"({"matchExpressions":[{"key":"a","operator":"In","values":[1]}]})"}) {
    auto r = LabelSelector::FromJson(Json::parse(hostile));
    EXPECT_FALSE(r.ok()) << hostile;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), Code::kBadRequest);
    }
  }
}

TEST(FieldSelectorTest, Parse) {
  auto s = FieldSelector::Parse("metadata.name=x,status.phase!=Running");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->terms().size(), 2u);
  EXPECT_EQ(s->terms()[0].field, "metadata.name");
  EXPECT_TRUE(s->terms()[0].equals);
  EXPECT_EQ(s->terms()[1].field, "status.phase");
  EXPECT_FALSE(s->terms()[1].equals);
  EXPECT_EQ(s->RequiredValue("metadata.name"), "x");
  EXPECT_EQ(s->RequiredValue("status.phase"), std::nullopt);
  EXPECT_EQ(s->RequiredValue("nope"), std::nullopt);

  EXPECT_TRUE(FieldSelector::Parse("")->Empty());
  EXPECT_TRUE(FieldSelector::Parse(",,")->Empty());
  auto dbl = FieldSelector::Parse("a==b");
  ASSERT_TRUE(dbl.ok());
  EXPECT_EQ(dbl->terms()[0].value, "b");
  auto empty_value = FieldSelector::Parse("spec.nodeName=");
  ASSERT_TRUE(empty_value.ok());
  EXPECT_EQ(empty_value->terms()[0].value, "");
  auto escaped = FieldSelector::Parse(R"(a=x\,y\=z\\w,b!=1)");
  ASSERT_TRUE(escaped.ok());
  ASSERT_EQ(escaped->terms().size(), 2u);
  EXPECT_EQ(escaped->terms()[0].value, R"(x,y=z\w)");
  // kubectl describe's events selector.
  auto ev = FieldSelector::Parse(
      "involvedObject.name=web-1,involvedObject.namespace=default,involvedObject.uid=abc");
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->RequiredValue("involvedObject.uid"), "abc");
}

TEST(FieldSelectorTest, Errors) {
  auto r = FieldSelector::Parse("a,b=c");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kBadRequest);
  EXPECT_EQ(r.status().message(), "invalid selector: 'a,b=c'; can't understand 'a'");
  r = FieldSelector::Parse(R"(a=b\x)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), R"(invalid field selector: invalid escape sequence: \x)");
  r = FieldSelector::Parse(R"(a=b\)");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), R"(invalid field selector: invalid escape sequence: \)");
  r = FieldSelector::Parse("a=b=c");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid field selector: unescaped character in value: 61");
  r = FieldSelector::Parse("a=b\\\xc3\xa9");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "invalid field selector: invalid escape sequence: \\\xc3\xa9");
}

TEST(FieldSelectorTest, Matches) {
  auto s = FieldSelector::Parse("metadata.name=x,status.phase!=Running");
  ASSERT_TRUE(s.ok());
  std::map<std::string, std::string> fields{{"metadata.name", "x"}, {"status.phase", "Pending"}};
  auto get = [&](const std::string& f) -> std::optional<std::string> {
    auto it = fields.find(f);
    if (it == fields.end()) return std::nullopt;
    return it->second;
  };
  EXPECT_TRUE(s->Matches(get));
  fields["status.phase"] = "Running";
  EXPECT_FALSE(s->Matches(get));
  fields.erase("status.phase");
  EXPECT_FALSE(s->Matches(get));  // unsupported field never matches
  EXPECT_TRUE(FieldSelector::Parse("")->Matches(get));
}

}  // namespace
}  // namespace minik
