#include "api/validation.h"

#include <gtest/gtest.h>

#include "api/status.h"

namespace minik {
namespace {

const char* kSubdomainMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kLabelMsg =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

std::vector<std::string> V(std::initializer_list<const char*> l) { return {l.begin(), l.end()}; }

TEST(ValidationTest, Dns1123Subdomain) {
  EXPECT_TRUE(IsDns1123Subdomain("example.com").empty());
  EXPECT_TRUE(IsDns1123Subdomain("a").empty());
  EXPECT_TRUE(IsDns1123Subdomain("0-a.b-1").empty());
  EXPECT_EQ(IsDns1123Subdomain("Bad_Name"), V({kSubdomainMsg}));
  for (const char* bad : {"", "-a", "a-", "a..b", ".a", "a.", "a.-b", "A", "a_b", "a b"}) {
    EXPECT_EQ(IsDns1123Subdomain(bad).size(), 1u) << bad;
  }
  std::string long_name(254, 'a');
  auto errs = IsDns1123Subdomain(long_name);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0], "must be no more than 253 characters");
  EXPECT_TRUE(IsDns1123Subdomain(std::string(253, 'a')).empty());
}

TEST(ValidationTest, Dns1123Label) {
  EXPECT_TRUE(IsDns1123Label("my-name").empty());
  EXPECT_EQ(IsDns1123Label("a.b"), V({"must not contain dots"}));
  auto errs = IsDns1123Label("Bad");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0],
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
            "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
            "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  EXPECT_EQ(errs[0], kLabelMsg);
  errs = IsDns1123Label(std::string(64, 'a'));
  EXPECT_EQ(errs, V({"must be no more than 63 characters"}));
}

TEST(ValidationTest, Dns1035Label) {
  EXPECT_TRUE(IsDns1035Label("abc-123").empty());
  auto errs = IsDns1035Label("1abc");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0],
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
            "with an alphabetic character, and end with an alphanumeric character (e.g. "
            "'my-name',  or 'abc-123', regex used for validation is "
            "'[a-z]([-a-z0-9]*[a-z0-9])?')");
}

TEST(ValidationTest, QualifiedName) {
  for (const char* ok : {"app", "MyName", "my.name", "123-abc", "example.com/MyName",
                         "app.kubernetes.io/name", "a_b"}) {
    EXPECT_TRUE(IsQualifiedName(ok).empty()) << ok;
  }
  EXPECT_EQ(IsQualifiedName("/a"), V({"prefix part must be non-empty"}));
  EXPECT_EQ(IsQualifiedName("a/"),
            V({"name part must be non-empty",
               "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
               "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
               "'123-abc', regex used for validation is "
               "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"}));
  auto errs = IsQualifiedName("a/b/c");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0],
            "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') "
            "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
  errs = IsQualifiedName("Bad_Prefix/name");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].rfind("prefix part a lowercase RFC 1123 subdomain", 0), 0u) << errs[0];
  errs = IsQualifiedName(std::string(64, 'a'));
  EXPECT_EQ(errs, V({"name part must be no more than 63 characters"}));
  errs = IsQualifiedName("-a");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].rfind("name part must consist of", 0), 0u);
}

TEST(ValidationTest, LabelValue) {
  EXPECT_TRUE(IsValidLabelValue("").empty());
  EXPECT_TRUE(IsValidLabelValue("my_value.1").empty());
  auto errs = IsValidLabelValue("bad value");
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0],
            "a valid label must be an empty string or consist of alphanumeric characters, '-', "
            "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', "
            " or 'my_value',  or '12345', regex used for validation is "
            "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  EXPECT_EQ(IsValidLabelValue(std::string(64, 'a')), V({"must be no more than 63 characters"}));
}

TEST(ValidationTest, PathSegment) {
  EXPECT_EQ(IsValidPathSegmentName("."), V({"may not be '.'"}));
  EXPECT_EQ(IsValidPathSegmentName(".."), V({"may not be '..'"}));
  EXPECT_EQ(IsValidPathSegmentName("a/b%"), V({"may not contain '/'", "may not contain '%'"}));
  EXPECT_TRUE(IsValidPathSegmentName("Any_Thing:ok").empty());
  EXPECT_TRUE(ValidateName("..", NameRule::kPathSegment, true).empty());
  EXPECT_TRUE(ValidateName("web-", NameRule::kDns1123Subdomain, true).empty());
  EXPECT_FALSE(ValidateName("web-", NameRule::kDns1123Subdomain, false).empty());
}

TEST(ValidationTest, GoQuoteAndValues) {
  EXPECT_EQ(GoQuote("Bad_Name"), "\"Bad_Name\"");
  EXPECT_EQ(GoQuote("a\"b\\c\n\t"), "\"a\\\"b\\\\c\\n\\t\"");
  EXPECT_EQ(GoQuote(std::string("\x01\x7f", 2)), "\"\\x01\\x7f\"");
  EXPECT_EQ(GoQuote("h\xc3\xa9"), "\"h\xc3\xa9\"");  // printable UTF-8 kept
  EXPECT_EQ(GoQuote("\xff"), "\"\\xff\"");           // invalid UTF-8 escaped
  EXPECT_EQ(GoQuote("\xe2\x80\xa8"), "\"\\u2028\"");
  EXPECT_EQ(FieldValueString(Json(5)), "5");
  EXPECT_EQ(FieldValueString(Json(-5)), "-5");
  EXPECT_EQ(FieldValueString(Json(0.5)), "0.5");
  EXPECT_EQ(FieldValueString(Json(2.0)), "2");
  EXPECT_EQ(FieldValueString(Json(123456.0)), "123456");
  EXPECT_EQ(FieldValueString(Json(1234567.0)), "1.234567e+06");
  EXPECT_EQ(FieldValueString(Json(1e21)), "1e+21");
  EXPECT_EQ(FieldValueString(Json(0.0001)), "0.0001");
  EXPECT_EQ(FieldValueString(Json(0.00001)), "1e-05");
  EXPECT_EQ(FieldValueString(Json(-1.25)), "-1.25");
  EXPECT_EQ(FieldValueString(Json(0.1)), "0.1");
  EXPECT_EQ(FieldValueString(Json(true)), "true");
  EXPECT_EQ(FieldValueString(Json()), "null");
  EXPECT_EQ(FieldValueString(Json::array({"a", "b"})), "[]string{\"a\", \"b\"}");
  EXPECT_EQ(FieldValueString(Json::parse(R"({"a":1})")), R"({"a":1})");
}

TEST(ValidationTest, CauseHelpers) {
  auto c = FieldInvalid("metadata.name", "Bad_Name", "oops");
  EXPECT_EQ(c.reason, "FieldValueInvalid");
  EXPECT_EQ(c.field, "metadata.name");
  EXPECT_EQ(c.message, "Invalid value: \"Bad_Name\": oops");
  EXPECT_EQ(FieldRequired("spec.x").message, "Required value");
  EXPECT_EQ(FieldRequired("spec.x", "must say").message, "Required value: must say");
  EXPECT_EQ(FieldRequired("spec.x").reason, "FieldValueRequired");
  EXPECT_EQ(FieldForbidden("f", "not allowed on this type").message,
            "Forbidden: not allowed on this type");
  EXPECT_EQ(FieldForbidden("f", "").reason, "FieldValueForbidden");
  auto ns = FieldNotSupported("spec.restartPolicy", "Sometimes", {"Always", "Never", "OnFailure"});
  EXPECT_EQ(ns.reason, "FieldValueNotSupported");
  EXPECT_EQ(ns.message,
            "Unsupported value: \"Sometimes\": supported values: \"Always\", \"Never\", \"OnFailure\"");
  EXPECT_EQ(FieldDuplicate("spec.ports[1].name", "http").message, "Duplicate value: \"http\"");
  EXPECT_EQ(FieldTooLong("metadata.annotations", 262144).message,
            "Too long: may not be more than 262144 bytes");
  EXPECT_EQ(FieldTooMany("spec.x", 12, 10).message, "Too many: 12: must have at most 10 items");
  EXPECT_EQ(FieldNotFound("spec.x", "y").message, "Not found: \"y\"");
}

TEST(ValidationTest, ObjectMetaInvalidNameMessageLikeApiserver) {
  Json cm = Json::parse(R"({"metadata":{"name":"Bad_Name","namespace":"default"}})");
  auto causes = ValidateObjectMeta(cm, true, NameRule::kDns1123Subdomain);
  ASSERT_EQ(causes.size(), 1u);
  Status st = Invalid("ConfigMap", "Bad_Name", causes);
  EXPECT_EQ(st.message(), std::string("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid "
                                      "value: \"Bad_Name\": ") +
                              kSubdomainMsg);
}

TEST(ValidationTest, InvalidStatusAggregatesLikeNewInvalid) {
  // Several causes: bracketed; a repeated "field: message" is listed once in the message
  // (ErrorList.ToAggregate) but kept in the causes.
  StatusCause a{"FieldValueRequired", "Required value", "spec.selector"};
  StatusCause b{"FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0",
                "spec.replicas"};
  Status st = Invalid("Deployment.apps", "web", {a, b, a});
  EXPECT_EQ(st.code(), Code::kInvalid);
  EXPECT_EQ(st.HttpCode(), 422);
  EXPECT_EQ(st.message(),
            "Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.replicas: "
            "Invalid value: -1: must be greater than or equal to 0]");
  ASSERT_TRUE(st.details().has_value());
  EXPECT_EQ(st.details()->causes.size(), 3u);
  EXPECT_EQ(st.details()->kind, "Deployment");
  EXPECT_EQ(st.details()->group, "apps");
  EXPECT_EQ(st.details()->name, "web");
  // Two identical causes read as one error, without brackets.
  EXPECT_EQ(Invalid("Pod", "p", {a, a}).message(), "Pod \"p\" is invalid: spec.selector: Required value");
  // No causes: no colon (NewInvalid with an empty list).
  EXPECT_EQ(Invalid("Pod", "p", {}).message(), "Pod \"p\" is invalid");
  // A cause without a field still prints "<field>: " as field.Error does.
  EXPECT_EQ(Invalid("Pod", "p", {{"FieldValueInvalid", "Invalid value: 1", ""}}).message(),
            "Pod \"p\" is invalid: : Invalid value: 1");
}

TEST(ValidationTest, ObjectMetaRequiredAndScope) {
  auto causes = ValidateObjectMeta(Json::parse(R"({"metadata":{}})"), true,
                                   NameRule::kDns1123Subdomain);
  ASSERT_EQ(causes.size(), 2u);
  EXPECT_EQ(causes[0].field, "metadata.name");
  EXPECT_EQ(causes[0].message, "Required value: name or generateName is required");
  EXPECT_EQ(causes[1].field, "metadata.namespace");
  EXPECT_EQ(causes[1].message, "Required value");

  // No metadata at all, wrong-typed metadata, and non-objects don't crash.
  EXPECT_EQ(ValidateObjectMeta(Json::object(), false, NameRule::kDns1123Label).size(), 1u);
  EXPECT_EQ(ValidateObjectMeta(Json::parse(R"({"metadata":7})"), false, NameRule::kDns1123Label)
                .size(),
            1u);
  EXPECT_FALSE(ValidateObjectMeta(Json::array(), false, NameRule::kDns1123Label).empty());
  EXPECT_FALSE(
      ValidateObjectMeta(Json::parse(R"({"metadata":{"name":5}})"), false, NameRule::kDns1123Label)
          .empty());

  causes = ValidateObjectMeta(Json::parse(R"({"metadata":{"generateName":"web-"}})"), false,
                              NameRule::kDns1123Subdomain);
  EXPECT_TRUE(causes.empty());
  causes = ValidateObjectMeta(Json::parse(R"({"metadata":{"generateName":"Web-"}})"), false,
                              NameRule::kDns1123Subdomain);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "metadata.generateName");

  causes = ValidateObjectMeta(Json::parse(R"({"metadata":{"name":"n","namespace":"x"}})"), false,
                              NameRule::kDns1123Subdomain);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "metadata.namespace");
  EXPECT_EQ(causes[0].message, "Forbidden: not allowed on this type");

  causes = ValidateObjectMeta(Json::parse(R"({"metadata":{"name":"n","namespace":"Bad.NS"}})"),
                              true, NameRule::kDns1123Subdomain);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "metadata.namespace");

  causes = ValidateObjectMeta(Json::parse(R"({"metadata":{"name":"n","generation":-1}})"), false,
                              NameRule::kDns1123Subdomain);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].message, "Invalid value: -1: must be greater than or equal to 0");
}

TEST(ValidationTest, ObjectMetaLabelsAnnotations) {
  Json o = Json::parse(R"({"metadata":{"name":"n","labels":{"bad key":"v","ok":"bad value!","n":3},
      "annotations":{"Example.COM/Ok":"fine","bad key":"x"}}})");
  auto causes = ValidateObjectMeta(o, false, NameRule::kDns1123Subdomain);
  ASSERT_EQ(causes.size(), 4u);
  EXPECT_EQ(causes[0].field, "metadata.labels");
  EXPECT_EQ(causes[0].message.rfind("Invalid value: \"bad key\": name part must consist", 0), 0u);
  EXPECT_EQ(causes[1].message, "Invalid value: 3: must be a string");
  EXPECT_EQ(causes[2].message.rfind("Invalid value: \"bad value!\": a valid label", 0), 0u);
  EXPECT_EQ(causes[3].field, "metadata.annotations");

  Json big = Json::parse(R"({"metadata":{"name":"n","annotations":{}}})");
  big["metadata"]["annotations"]["a"] = std::string(256 * 1024, 'x');
  causes = ValidateObjectMeta(big, false, NameRule::kDns1123Subdomain);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].reason, "FieldValueTooLong");
  EXPECT_EQ(causes[0].message, "Too long: may not be more than 262144 bytes");
  big["metadata"]["annotations"]["a"] = std::string(256 * 1024 - 1, 'x');
  EXPECT_TRUE(ValidateObjectMeta(big, false, NameRule::kDns1123Subdomain).empty());
}

TEST(ValidationTest, ObjectMetaOwnersAndFinalizers) {
  Json o = Json::parse(R"({"metadata":{"name":"n","ownerReferences":[
      {"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"1","controller":true},
      {"apiVersion":"apps/","kind":"","name":"","uid":""},
      {"apiVersion":"v1","kind":"Event","name":"e","uid":"2","controller":true}],
      "finalizers":["example.com/ok","bad finalizer","orphan","foregroundDeletion"]}})");
  auto causes = ValidateObjectMeta(o, false, NameRule::kDns1123Subdomain);
  std::vector<std::string> fields;
  for (const auto& c : causes) fields.push_back(c.field);
  EXPECT_EQ(fields, V({"metadata.ownerReferences.apiVersion", "metadata.ownerReferences.kind",
                       "metadata.ownerReferences.name", "metadata.ownerReferences.uid",
                       "metadata.ownerReferences", "metadata.ownerReferences",
                       "metadata.finalizers", "metadata.finalizers"}));
  EXPECT_EQ(causes[0].message, "Invalid value: \"apps/\": version must not be empty");
  EXPECT_NE(causes[4].message.find("/v1, Kind=Event is disallowed from being an owner"),
            std::string::npos);
  EXPECT_NE(causes[5].message.find("Only one reference can have Controller set to true. Found "
                                   "\"true\" in references for ReplicaSet/rs and Event/e"),
            std::string::npos);
  EXPECT_EQ(causes[7].message,
            "Invalid value: []string{\"example.com/ok\", \"bad finalizer\", \"orphan\", "
            "\"foregroundDeletion\"}: finalizer orphan and foregroundDeletion cannot be both set");
  // Wrong types.
  EXPECT_EQ(ValidateObjectMeta(Json::parse(R"({"metadata":{"name":"n","finalizers":"x",
      "ownerReferences":{}}})"), false, NameRule::kDns1123Subdomain).size(), 2u);
}

TEST(ValidationTest, ObjectMetaUpdate) {
  Json old = Json::parse(R"({"metadata":{"name":"a","namespace":"ns","uid":"u1","generation":3,
      "creationTimestamp":"2025-01-01T00:00:00Z","finalizers":["x/a"]}})");
  Json now = old;
  EXPECT_TRUE(ValidateObjectMetaUpdate(now, old).empty());
  now["metadata"]["name"] = "b";
  now["metadata"]["uid"] = "u2";
  now["metadata"]["generation"] = 2;
  auto causes = ValidateObjectMetaUpdate(now, old);
  ASSERT_EQ(causes.size(), 3u);
  EXPECT_EQ(causes[0].field, "metadata.generation");
  EXPECT_EQ(causes[0].message, "Invalid value: 2: must not be decremented");
  EXPECT_EQ(causes[1].field, "metadata.name");
  EXPECT_EQ(causes[1].message, "Invalid value: \"b\": field is immutable");
  EXPECT_EQ(causes[2].field, "metadata.uid");

  // New finalizers are refused once deleting.
  old["metadata"]["deletionTimestamp"] = "2025-01-02T00:00:00Z";
  now = old;
  now["metadata"]["finalizers"] = {"x/a", "x/b"};
  causes = ValidateObjectMetaUpdate(now, old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].message,
            "Forbidden: no new finalizers can be added if the object is being deleted, found new "
            "finalizers []string{\"x/b\"}");
  // Removing the deletionTimestamp is refused.
  now = old;
  now["metadata"].erase("deletionTimestamp");
  causes = ValidateObjectMetaUpdate(now, old);
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].field, "metadata.deletionTimestamp");
}

TEST(ValidationTest, ManagedFieldsAndFieldManager) {
  EXPECT_TRUE(ValidateFieldManager("kubectl-client-side-apply", "fieldManager").empty());
  auto causes = ValidateFieldManager(std::string(129, 'm'), "fieldManager");
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].message, "Too long: may not be more than 128 bytes");
  causes = ValidateFieldManager("ab\a" "c", "fieldManager");
  ASSERT_EQ(causes.size(), 1u);
  EXPECT_EQ(causes[0].message,
            "Invalid value: \"ab\\ac\": invalid character U+0007 (at position 2)");
  Json o = Json::parse(R"({"metadata":{"name":"n","managedFields":[
      {"manager":"kubectl","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{}},
      {"manager":"x","operation":"Patch","fieldsType":"FieldsV2"}, 3]}})");
  causes = ValidateObjectMeta(o, false, NameRule::kDns1123Subdomain);
  ASSERT_EQ(causes.size(), 3u);
  EXPECT_EQ(causes[0].field, "metadata.managedFields[1].operation");
  EXPECT_EQ(causes[0].message, "Invalid value: \"Patch\": must be `Apply` or `Update`");
  EXPECT_EQ(causes[1].field, "metadata.managedFields[1].fieldsType");
  EXPECT_EQ(causes[2].field, "metadata.managedFields[2]");
  EXPECT_EQ(ValidateObjectMetaUpdate(o, o).size(), 3u);
}

TEST(ValidationTest, LabelSelector) {
  EXPECT_TRUE(ValidateLabelSelector(Json(), "spec.selector").empty());
  Json sel = Json::parse(R"({"matchLabels":{"app":"web"},"matchExpressions":[
      {"key":"a","operator":"In","values":[]},
      {"key":"b","operator":"Exists","values":["x"]},
      {"key":"c","operator":"Foo"},
      {"key":"bad key","operator":"NotIn","values":["ok","bad value"]}]})");
  auto causes = ValidateLabelSelector(sel, "spec.selector");
  std::vector<std::string> fields;
  for (const auto& c : causes) fields.push_back(c.field);
  EXPECT_EQ(fields, V({"spec.selector.matchExpressions[0].values",
                       "spec.selector.matchExpressions[1].values",
                       "spec.selector.matchExpressions[2].operator",
                       "spec.selector.matchExpressions[3].key",
                       "spec.selector.matchExpressions[3].values[1]"}));
  EXPECT_EQ(causes[0].message,
            "Required value: must be specified when `operator` is 'In' or 'NotIn'");
  EXPECT_EQ(causes[2].message, "Invalid value: \"Foo\": not a valid selector operator");
  EXPECT_FALSE(ValidateLabelSelector(Json("x"), "s").empty());
  EXPECT_FALSE(ValidateLabelSelector(Json::parse(R"({"matchExpressions":[1,{"values":"x"}]})"), "s")
                   .empty());
}

}  // namespace
}  // namespace minik
