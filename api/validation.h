// Name and metadata validation, worded like k8s.io/apimachinery/pkg/util/validation and
// pkg/api/validation (ObjectMeta).
#pragma once

#include <string>
#include <vector>

#include "api/json.h"
#include "api/status.h"

namespace minik {

// Each returns the error messages ("a lowercase RFC 1123 label must consist of ...");
// empty when valid.
std::vector<std::string> IsDns1123Label(const std::string& value);
std::vector<std::string> IsDns1123Subdomain(const std::string& value);
std::vector<std::string> IsDns1035Label(const std::string& value);
std::vector<std::string> IsQualifiedName(const std::string& value);  // label/annotation keys
std::vector<std::string> IsValidLabelValue(const std::string& value);

enum class NameRule { kDns1123Subdomain, kDns1123Label, kDns1035Label, kPathSegment };

// ObjectMeta checks for create: name (per rule) or generateName, namespace presence for
// namespaced kinds, generation, labels, annotations (256 KiB total), ownerReferences,
// finalizers, managedFields.
// Causes carry field paths ("metadata.name") and apiserver wording
// ("Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of ...").
std::vector<StatusCause> ValidateObjectMeta(const Json& obj, bool namespaced, NameRule rule);
// Metadata checks on update, as upstream's ValidateObjectMetaUpdate: immutable name,
// namespace, uid, creationTimestamp, deletionTimestamp, deletionGracePeriodSeconds;
// generation not decremented; no new finalizers once deleting; and the label, annotation
// and ownerReference checks. Call it INSTEAD of ValidateObjectMeta on update (upstream does
// not re-run the create checks, and running both would duplicate causes). The
// resourceVersion-required check is left to the registry (unconditional updates).
std::vector<StatusCause> ValidateObjectMetaUpdate(const Json& obj, const Json& old);

// Building blocks (field is the path of the map/list, e.g. "spec.selector.matchLabels").
std::vector<StatusCause> ValidateLabels(const Json& labels, const std::string& field);
std::vector<StatusCause> ValidateAnnotations(const Json& annotations, const std::string& field);
// A metav1.LabelSelector object, as upstream's ValidateLabelSelector (null is valid).
std::vector<StatusCause> ValidateLabelSelector(const Json& selector, const std::string& field);
// A field manager name (the fieldManager query parameter, managedFields[].manager): at most
// 128 bytes, printable characters only ("invalid character U+0007 (at position 3)").
std::vector<StatusCause> ValidateFieldManager(const std::string& manager, const std::string& field);
// Path-segment names (may not be '.' or '..', may not contain '/' or '%').
std::vector<std::string> IsValidPathSegmentName(const std::string& value);
// Validates a name by rule; `prefix` for generateName (a trailing '-' is allowed).
std::vector<std::string> ValidateName(const std::string& name, NameRule rule, bool prefix);

// Helpers to build causes the way the apiserver words them.
StatusCause FieldInvalid(const std::string& field, const Json& value, const std::string& detail);
StatusCause FieldRequired(const std::string& field, const std::string& detail = "");
StatusCause FieldForbidden(const std::string& field, const std::string& detail);
StatusCause FieldNotSupported(const std::string& field, const Json& value,
                              const std::vector<std::string>& supported);
StatusCause FieldDuplicate(const std::string& field, const Json& value);
// "Too long: may not be more than N bytes" (the value is never shown).
StatusCause FieldTooLong(const std::string& field, int64_t max_bytes);
// "Too many: 12: must have at most 10 items".
StatusCause FieldTooMany(const std::string& field, int64_t actual, int64_t max_items);
StatusCause FieldNotFound(const std::string& field, const Json& value);
// Formats a value the way field.Error does: strings Go-quoted ("a\tb"), numbers and bools
// plain, string lists as []string{"a", "b"}, other values as compact JSON.
std::string FieldValueString(const Json& value);
// Go's strconv.Quote.
std::string GoQuote(const std::string& s);

}  // namespace minik
