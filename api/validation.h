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

// ObjectMeta checks for create/update: name (per rule) or generateName, namespace presence
// for namespaced kinds, labels, annotations (256 KiB total), ownerReferences, finalizers.
// Causes carry field paths ("metadata.name") and apiserver wording
// ("Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of ...").
std::vector<StatusCause> ValidateObjectMeta(const Json& obj, bool namespaced, NameRule rule);
// Immutable metadata on update (name, namespace, uid, creationTimestamp).
std::vector<StatusCause> ValidateObjectMetaUpdate(const Json& obj, const Json& old);

// Helpers to build causes the way the apiserver words them.
StatusCause FieldInvalid(const std::string& field, const Json& value, const std::string& detail);
StatusCause FieldRequired(const std::string& field, const std::string& detail = "");
StatusCause FieldForbidden(const std::string& field, const std::string& detail);
StatusCause FieldNotSupported(const std::string& field, const Json& value,
                              const std::vector<std::string>& supported);
StatusCause FieldDuplicate(const std::string& field, const Json& value);

}  // namespace minik
