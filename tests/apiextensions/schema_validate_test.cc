#include <gtest/gtest.h>

#include <map>

#include "apiextensions/structural_schema.h"

namespace minik {
namespace {

std::shared_ptr<const StructuralSchema> MustParse(const std::string& text) {
  auto s = StructuralSchema::Parse(Json::parse(text));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : nullptr;
}

std::string Dump(const std::vector<StatusCause>& causes) {
  std::string out;
  for (const auto& c : causes) out += c.reason + " | " + c.field + " | " + c.message + "\n";
  return out;
}

// A schema with one property `spec` of the given schema.
std::shared_ptr<const StructuralSchema> Spec(const std::string& spec) {
  return MustParse(R"({"type":"object","properties":{"spec":)" + spec + "}}");
}

std::vector<StatusCause> V(const std::shared_ptr<const StructuralSchema>& s, const char* obj) {
  return s->Validate(Json::parse(obj), nullptr, nullptr);
}

TEST(SchemaValidate, ExactMessages) {
  auto s = Spec(R"({"type":"object","required":["name"],"properties":{
      "name":{"type":"string","minLength":3,"maxLength":5,"pattern":"^[a-z]+$"},
      "size":{"type":"integer","maximum":10,"minimum":1},
      "ratio":{"type":"number","exclusiveMaximum":true,"maximum":1.5,"multipleOf":0.5},
      "color":{"type":"string","enum":["red","blue"]},
      "level":{"type":"integer","enum":[1,2]},
      "tags":{"type":"array","minItems":2,"maxItems":3,"items":{"type":"string"}}}})");
  auto c = V(s, R"({"spec":{"name":"ok","size":11}})");
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].field, "spec.name");
  EXPECT_EQ(c[0].message, "Invalid value: \"ok\": spec.name in body should be at least 3 chars long");
  EXPECT_EQ(c[1].reason, "FieldValueInvalid");
  EXPECT_EQ(c[1].field, "spec.size");
  EXPECT_EQ(c[1].message, "Invalid value: 11: spec.size in body should be less than or equal to 10");

  c = V(s, R"({"spec":{"name":"abc","size":"string"}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].reason, "FieldValueTypeInvalid");
  EXPECT_EQ(c[0].message,
            "Invalid value: \"string\": spec.size in body must be of type integer: \"string\"");

  c = V(s, R"({"spec":{"name":"abc","color":"green","level":3}})");
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].field, "spec.color");
  EXPECT_EQ(c[0].reason, "FieldValueNotSupported");
  EXPECT_EQ(c[0].message, "Unsupported value: \"green\": supported values: \"red\", \"blue\"");
  EXPECT_EQ(c[1].message, "Unsupported value: 3: supported values: \"1\", \"2\"");

  c = V(s, R"({"spec":{}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].reason, "FieldValueRequired");
  EXPECT_EQ(c[0].field, "spec.name");
  EXPECT_EQ(c[0].message, "Required value");

  c = V(s, R"({"spec":{"name":"abcdefg"}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].reason, "FieldValueTooLong");
  EXPECT_EQ(c[0].message, "Too long: may not be more than 5 bytes");

  c = V(s, R"({"spec":{"name":"AB1"}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].message, "Invalid value: \"AB1\": spec.name in body should match '^[a-z]+$'");

  c = V(s, R"({"spec":{"name":"abc","size":0,"ratio":1.5}})");
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].message, "Invalid value: 1.5: spec.ratio in body should be less than 1.5");
  EXPECT_EQ(c[1].message, "Invalid value: 0: spec.size in body should be greater than or equal to 1");

  c = V(s, R"({"spec":{"name":"abc","ratio":0.7}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].message, "Invalid value: 0.7: spec.ratio in body should be a multiple of 0.5");

  c = V(s, R"({"spec":{"name":"abc","tags":["a"]}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].field, "spec.tags");
  EXPECT_EQ(c[0].message, "Invalid value: 1: spec.tags in body should have at least 2 items");
  c = V(s, R"({"spec":{"name":"abc","tags":["a","b","c","d"]}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].reason, "FieldValueTooMany");
  EXPECT_EQ(c[0].message, "Too many: 4: must have at most 3 items");
  c = V(s, R"({"spec":{"name":"abc","tags":["a",5]}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].field, "spec.tags[1]");
  EXPECT_EQ(c[0].message,
            "Invalid value: \"integer\": spec.tags[1] in body must be of type string: \"integer\"");

  // A float that is a whole number is an integer; an integer is a number.
  EXPECT_TRUE(V(s, R"({"spec":{"name":"abc","size":5.0,"ratio":1}})").empty());
}

TEST(SchemaValidate, NullableAndNulls) {
  auto s = Spec(R"({"type":"object","properties":{
      "a":{"type":"string","nullable":true},"b":{"type":"string"},
      "c":{"type":"string","default":"dflt"}}})");
  EXPECT_TRUE(V(s, R"({"spec":{"a":null}})").empty());
  auto c = V(s, R"({"spec":{"b":null}})");
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].field, "spec.b");
  EXPECT_EQ(c[0].message, "Invalid value: \"null\": spec.b in body must be of type string: \"null\"");
  // Defaulting drops non-nullable nulls without default and defaults those with one.
  Json obj = Json::parse(R"({"spec":{"a":null,"b":null,"c":null}})");
  s->Default(obj);
  EXPECT_EQ(obj, Json::parse(R"({"spec":{"a":null,"c":"dflt"}})"));
  EXPECT_TRUE(s->Validate(obj, nullptr, nullptr).empty());
}

TEST(SchemaValidate, IntOrString) {
  auto s = Spec(R"({"type":"object","properties":{"port":{"x-kubernetes-int-or-string":true,
      "anyOf":[{"type":"integer"},{"type":"string"}],"pattern":"^[a-z]+$"}}})");
  EXPECT_TRUE(V(s, R"({"spec":{"port":80}})").empty());
  EXPECT_TRUE(V(s, R"({"spec":{"port":"http"}})").empty());
  auto c = V(s, R"({"spec":{"port":true}})");
  ASSERT_FALSE(c.empty());
  EXPECT_EQ(c[0].message,
            "Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"");
  c = V(s, R"({"spec":{"port":"HTTP"}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].message, "Invalid value: \"HTTP\": spec.port in body should match '^[a-z]+$'");
}

TEST(SchemaValidate, Formats) {
  auto s = Spec(R"({"type":"object","properties":{
      "t":{"type":"string","format":"date-time"},"d":{"type":"string","format":"date"},
      "u":{"type":"string","format":"uuid"},"b":{"type":"string","format":"byte"},
      "i":{"type":"string","format":"ipv4"},"x":{"type":"string","format":"no-such-format"}}})");
  EXPECT_TRUE(V(s, R"({"spec":{"t":"2024-02-29T10:00:00Z","d":"2024-02-29",
      "u":"123e4567-e89b-12d3-a456-426614174000","b":"aGVsbG8=","i":"10.0.0.1","x":"?"}})").empty());
  auto c = V(s, R"({"spec":{"t":"yesterday","d":"2023-02-29","u":"nope","b":"!!","i":"1.2.3"}})");
  ASSERT_EQ(c.size(), 5u) << Dump(c);
  EXPECT_EQ(c[3].field, "spec.t");
  EXPECT_EQ(c[3].message,
            "Invalid value: \"yesterday\": spec.t in body must be of type date-time: \"yesterday\"");
}

TEST(SchemaValidate, FormatNamesAsStrfmtNormalizesThem) {
  auto s = Spec(R"({"type":"object","properties":{
      "t":{"type":"string","format":"datetime"},"h":{"type":"string","format":"hostname"}}})");
  EXPECT_TRUE(V(s, R"({"spec":{"t":"2024-01-01T00:00:00.5+02:00","h":"Example.COM"}})").empty());
  auto c = V(s, R"({"spec":{"t":"2024-01-01","h":"bad_host"}})");
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].message,
            "Invalid value: \"bad_host\": spec.h in body must be of type hostname: \"bad_host\"");
  EXPECT_EQ(c[1].reason, "FieldValueTypeInvalid");
}

TEST(SchemaValidate, CompositionKeywords) {
  auto s = Spec(R"({"type":"object","properties":{"v":{"type":"integer",
      "oneOf":[{"minimum":5},{"maximum":1}],"not":{"enum":[7]}}}})");
  EXPECT_TRUE(V(s, R"({"spec":{"v":6}})").empty());
  auto c = V(s, R"({"spec":{"v":3}})");
  ASSERT_GE(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].field, "<nil>");
  EXPECT_EQ(c[0].message, "Invalid value: \"\": \"spec.v\" must validate one and only one schema "
                          "(oneOf). Found none valid");
  c = V(s, R"({"spec":{"v":7}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].message, "Invalid value: \"\": \"spec.v\" must not validate the schema (not)");
  auto any = Spec(R"({"type":"object","anyOf":[{"required":["a"]},{"required":["b"]}],
      "properties":{"a":{"type":"string"},"b":{"type":"string"}}})");
  EXPECT_TRUE(V(any, R"({"spec":{"b":"x"}})").empty());
  c = V(any, R"({"spec":{}})");
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].message, "Invalid value: \"\": \"spec\" must validate at least one schema (anyOf)");
  EXPECT_EQ(c[1].field, "spec.a");
}

TEST(SchemaValidate, ObjectsAndMaps) {
  auto s = Spec(R"({"type":"object","properties":{"labels":{"type":"object","maxProperties":2,
      "minProperties":1,"additionalProperties":{"type":"string","maxLength":3}}}})");
  EXPECT_TRUE(V(s, R"({"spec":{"labels":{"a":"x"}}})").empty());
  auto c = V(s, R"({"spec":{"labels":{"a":"toolong","b":"x","c":"y"}}})");
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].message, "Too many: 3: must have at most 2 items");
  EXPECT_EQ(c[1].field, "spec.labels.a");
  c = V(s, R"({"spec":{"labels":{}}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);
  EXPECT_EQ(c[0].message, "Invalid value: 0: spec.labels in body should have at least 1 properties");
}

TEST(SchemaValidate, ListTypes) {
  auto s = Spec(R"({"type":"object","properties":{
      "set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
      "ports":{"type":"array","x-kubernetes-list-type":"map",
        "x-kubernetes-list-map-keys":["name","protocol"],
        "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},
          "protocol":{"type":"string","default":"TCP"},"port":{"type":"integer"}}}}}})");
  EXPECT_TRUE(V(s, R"({"spec":{"set":["a","b"],"ports":[{"name":"a","protocol":"TCP"},
      {"name":"a","protocol":"UDP"}]}})").empty());
  auto c = V(s, R"({"spec":{"set":["a","b","a"],"ports":[{"name":"a","protocol":"TCP","port":1},
      {"name":"a","protocol":"TCP","port":2}]}})");
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].reason, "FieldValueDuplicate");
  EXPECT_EQ(c[0].field, "spec.ports[1]");
  EXPECT_EQ(c[0].message, "Duplicate value: {\"name\":\"a\",\"protocol\":\"TCP\"}");
  EXPECT_EQ(c[1].field, "spec.set[2]");
  EXPECT_EQ(c[1].message, "Duplicate value: \"a\"");
  c = V(s, R"({"spec":{"ports":[{"name":"p"},{"name":"q"},"x"]}})");
  ASSERT_EQ(c.size(), 2u) << Dump(c);  // schema type error, then the list-map shape
  EXPECT_EQ(c[1].field, "spec.ports[2]");
  EXPECT_EQ(c[1].message, "Invalid value: \"x\": must be an object for an array of list-type map");
  c = V(s, R"({"spec":{"ports":[{"name":"a"},{"name":"a"}]}})");
  ASSERT_EQ(c.size(), 1u) << Dump(c);  // an absent key is "unspecified", not required
  EXPECT_EQ(c[0].message, "Duplicate value: {\"name\":\"a\"}");
  // On update, duplicates already in the old object are not reported again.
  Json bad = Json::parse(R"({"spec":{"set":["a","a"]}})");
  EXPECT_TRUE(s->Validate(bad, &bad, nullptr).empty());
}

TEST(SchemaValidate, EmbeddedResource) {
  auto s = Spec(R"({"type":"object","properties":{"template":{"type":"object",
      "x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}})");
  EXPECT_TRUE(V(s, R"({"spec":{"template":{"apiVersion":"v1","kind":"Pod","spec":{}}}})").empty());
  auto c = V(s, R"({"spec":{"template":{"spec":{}}}})");
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].field, "spec.template.apiVersion");
  EXPECT_EQ(c[0].message, "Required value");
  EXPECT_EQ(c[1].field, "spec.template.kind");
}

// Rules are looked up in a table; "oldSelf" in the text marks a transition rule.
class FakeRules : public RuleEvaluator {
 public:
  std::map<std::string, std::function<StatusOr<bool>(const Json&, const Json*)>> rules;
  std::vector<std::string> calls;
  StatusOr<bool> Evaluate(const std::string& rule, const Json& self, const Json* old) override {
    calls.push_back(rule);
    return rules.at(rule)(self, old);
  }
  bool IsTransitionRule(const std::string& rule) override {
    return rule.find("oldSelf") != std::string::npos;
  }
};

TEST(SchemaValidate, Rules) {
  auto s = Spec(R"j({"type":"object","x-kubernetes-validations":[
      {"rule":"self.size <= 10 || self.color == 'red'","message":"big widgets must be red"},
      {"rule":"  self.size > 0  "},
      {"rule":"has(self.color)","reason":"FieldValueRequired","fieldPath":".color","message":"color please"},
      {"rule":"broken","messageExpression":"'computed ' + self.color"}],
    "properties":{"size":{"type":"integer"},"color":{"type":"string"}}})j");
  FakeRules ev;
  ev.rules["self.size <= 10 || self.color == 'red'"] = [](const Json& self, const Json*) {
    return StatusOr<bool>(self.value("size", 0) <= 10 || self.value("color", "") == "red");
  };
  ev.rules["  self.size > 0  "] = [](const Json& self, const Json*) {
    return StatusOr<bool>(self.value("size", 0) > 0);
  };
  ev.rules["has(self.color)"] = [](const Json& self, const Json*) {
    return StatusOr<bool>(self.contains("color"));
  };
  ev.rules["broken"] = [](const Json&, const Json*) {
    return StatusOr<bool>(Status(Code::kInvalid, "no such key: x"));
  };
  ev.rules["bad syntax"] = [](const Json&, const Json*) {
    return StatusOr<bool>(Status(Code::kBadRequest, "ERROR: <input>:1:5: Syntax error"));
  };
  auto c = s->Validate(Json::parse(R"({"spec":{"size":11,"color":"blue"}})"), nullptr, &ev);
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].field, "spec");
  EXPECT_EQ(c[0].message, "Invalid value: \"object\": big widgets must be red");
  EXPECT_EQ(c[1].message, "Invalid value: \"object\": no such key: x evaluating rule: broken");
  c = s->Validate(Json::parse(R"({"spec":{"size":0}})"), nullptr, &ev);
  ASSERT_EQ(c.size(), 3u) << Dump(c);
  EXPECT_EQ(c[0].message, "Invalid value: \"object\": failed rule: self.size > 0");
  EXPECT_EQ(c[1].reason, "FieldValueRequired");
  EXPECT_EQ(c[1].field, "spec.color");
  EXPECT_EQ(c[1].message, "Required value: color please");

  // Rules do not run when the object already has a blocking error.
  ev.calls.clear();
  c = s->Validate(Json::parse(R"({"spec":{"size":"x"}})"), nullptr, &ev);
  EXPECT_TRUE(ev.calls.empty());
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[1].field, "<nil>");
  EXPECT_EQ(c[1].message, "Invalid value: \"null\": some validation rules were not checked because "
                          "the object was invalid; correct the existing errors to complete validation");
}

TEST(SchemaValidate, RuleCompileErrorAndScalarNode) {
  auto s = Spec(R"j({"type":"object","properties":{"n":{"type":"integer",
      "x-kubernetes-validations":[{"rule":"bad syntax"},{"rule":"self > 0","message":"  must be positive  "}]}}})j");
  FakeRules ev;
  ev.rules["bad syntax"] = [](const Json&, const Json*) {
    return StatusOr<bool>(Status(Code::kBadRequest, "ERROR: <input>:1:5: Syntax error"));
  };
  ev.rules["self > 0"] = [](const Json& self, const Json*) { return StatusOr<bool>(self > 0); };
  auto c = s->Validate(Json::parse(R"({"spec":{"n":-1}})"), nullptr, &ev);
  ASSERT_EQ(c.size(), 2u) << Dump(c);
  EXPECT_EQ(c[0].field, "spec.n");
  EXPECT_EQ(c[0].message, "Invalid value: \"integer\": rule compile error: ERROR: <input>:1:5: Syntax error");
  EXPECT_EQ(c[1].message, "Invalid value: \"integer\": must be positive");
  // A rule on the root reports the nil path, as upstream's validator called with a nil path.
  auto root = MustParse(R"({"type":"object","x-kubernetes-validations":[{"rule":"self > 0"}]})");
  ev.rules["self > 0"] = [](const Json&, const Json*) { return StatusOr<bool>(false); };
  c = root->Validate(Json::object(), nullptr, &ev);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].field, "<nil>");
  EXPECT_EQ(c[0].message, "Invalid value: \"object\": failed rule: self > 0");
}

TEST(SchemaValidate, TransitionRules) {
  auto s = Spec(R"({"type":"object","properties":{
      "name":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"immutable"}]},
      "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["k"],
        "items":{"type":"object","properties":{"k":{"type":"string"},"v":{"type":"integer",
          "x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"no shrinking"}]}}}},
      "set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"integer",
        "x-kubernetes-validations":[{"rule":"self != oldSelf","message":"never correlated"}]}},
      "m":{"type":"object","additionalProperties":{"type":"integer",
        "x-kubernetes-validations":[{"rule":"self == oldSelf","message":"map entry immutable"}]}}}})");
  FakeRules ev;
  ev.rules["self == oldSelf"] = [](const Json& self, const Json* old) {
    return StatusOr<bool>(self == *old);
  };
  ev.rules["self >= oldSelf"] = [](const Json& self, const Json* old) {
    return StatusOr<bool>(self.get<int64_t>() >= old->get<int64_t>());
  };
  ev.rules["self != oldSelf"] = [](const Json&, const Json*) { return StatusOr<bool>(false); };
  Json now = Json::parse(R"({"spec":{"name":"a","items":[{"k":"x","v":1},{"k":"y","v":5}],
      "set":[1],"m":{"p":1,"q":2}}})");
  // Create: no old object, no transition rule runs.
  EXPECT_TRUE(s->Validate(now, nullptr, &ev).empty());
  EXPECT_TRUE(ev.calls.empty());
  Json old = Json::parse(R"({"spec":{"name":"b","items":[{"k":"y","v":9},{"k":"x","v":0}],
      "set":[1],"m":{"p":2}}})");
  auto c = s->Validate(now, &old, &ev);
  ASSERT_EQ(c.size(), 3u) << Dump(c);
  EXPECT_EQ(c[0].field, "spec.items[1].v");  // correlated with old y by key
  EXPECT_EQ(c[0].message, "Invalid value: \"integer\": no shrinking");
  EXPECT_EQ(c[1].field, "spec.m[p]");
  EXPECT_EQ(c[1].message, "Invalid value: \"integer\": map entry immutable");
  EXPECT_EQ(c[2].field, "spec.name");
}

TEST(SchemaPrune, DropsUnknownFields) {
  auto s = MustParse(R"({"type":"object","properties":{
      "spec":{"type":"object","properties":{
        "a":{"type":"array","items":{"type":"object","properties":{"x":{"type":"string"}}}},
        "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true,
          "properties":{"known":{"type":"object","properties":{"k":{"type":"string"}}}}},
        "labels":{"type":"object","additionalProperties":{"type":"string"}},
        "tmpl":{"type":"object","x-kubernetes-embedded-resource":true,
          "properties":{"spec":{"type":"object"}}}}}}})");
  Json obj = Json::parse(R"({"apiVersion":"x/v1","kind":"K","metadata":{"name":"n","bogus":1},
      "spec":{"bogus":1,"a":[{"x":"1","b":2}],"free":{"anything":{"deep":1},"known":{"k":"1","z":2}},
        "labels":{"any":"v"},"tmpl":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
        "spec":{"c":1},"extra":true}},"status":{"s":1}})");
  auto paths = s->Prune(obj);
  EXPECT_EQ(paths, (std::vector<std::string>{"metadata.bogus", "spec.a[0].b", "spec.bogus",
                                             "spec.free.known.z", "spec.tmpl.extra",
                                             "spec.tmpl.spec.c", "status"}));
  EXPECT_EQ(obj, Json::parse(R"({"apiVersion":"x/v1","kind":"K","metadata":{"name":"n"},
      "spec":{"a":[{"x":"1"}],"free":{"anything":{"deep":1},"known":{"k":"1"}},
        "labels":{"any":"v"},"tmpl":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
        "spec":{}}}})"));
}

TEST(SchemaPrune, RootPreserveUnknownFields) {
  auto s = MustParse(R"({"type":"object","x-kubernetes-preserve-unknown-fields":true})");
  Json obj = Json::parse(R"({"apiVersion":"x/v1","kind":"K","spec":{"anything":1}})");
  Json copy = obj;
  EXPECT_TRUE(s->Prune(obj).empty());
  EXPECT_EQ(obj, copy);
}

TEST(SchemaDefault, DefaultsInsideListsAndMaps) {
  auto s = Spec(R"({"type":"object","properties":{
      "replicas":{"type":"integer","default":1},
      "obj":{"type":"object","default":{},"properties":{"inner":{"type":"string","default":"i"}}},
      "list":{"type":"array","items":{"type":"object","properties":{
        "p":{"type":"integer","default":80},"q":{"type":"string"}}}},
      "m":{"type":"object","additionalProperties":{"type":"object","properties":{
        "on":{"type":"boolean","default":true}}}}}})");
  Json obj = Json::parse(R"({"spec":{"replicas":3,"list":[{"q":"a"},{"p":1}],"m":{"k":{}}}})");
  s->Default(obj);
  EXPECT_EQ(obj, Json::parse(R"({"spec":{"replicas":3,"obj":{"inner":"i"},
      "list":[{"p":80,"q":"a"},{"p":1}],"m":{"k":{"on":true}}}})"));
  // Absent parents are not created unless they have a default themselves.
  auto s2 = MustParse(R"({"type":"object","properties":{"spec":{"type":"object","properties":{
      "a":{"type":"integer","default":1}}}}})");
  Json empty = Json::object();
  s2->Default(empty);
  EXPECT_EQ(empty, Json::object());
}

TEST(SchemaValidate, HostileData) {
  auto s = MustParse(R"({"type":"object","properties":{"spec":{"type":"object",
      "x-kubernetes-preserve-unknown-fields":true},"list":{"type":"array","items":{"type":"string"}}}})");
  // 1,000 levels: ten times the API's JSON depth limit, and still within the stack of an
  // ASan build for nlohmann's own recursive copy and destruction of such a document.
  Json deep = Json::array();
  for (int i = 0; i < 1000; ++i) {
    Json next = Json::array();
    next.push_back(std::move(deep));
    deep = std::move(next);
  }
  Json obj = {{"spec", {{"x", deep}}}, {"other", deep}};
  EXPECT_TRUE(s->Validate(obj, nullptr, nullptr).empty());
  auto paths = s->Prune(obj);
  EXPECT_EQ(paths, std::vector<std::string>{"other"});
  s->Default(obj);
  // A long string against a pattern.
  auto p = Spec(R"({"type":"string","pattern":"^a*$"})");
  Json big = {{"spec", std::string(1000000, 'a')}};  // std::regex crashed here
  EXPECT_TRUE(p->Validate(big, nullptr, nullptr).empty());
}

}  // namespace
}  // namespace minik
