// Name and metadata validation, worded like k8s.io/apimachinery/pkg/util/validation and
// pkg/api/validation (ObjectMeta).
#pragma once

#include <cstdint>
#include <optional>
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

// metav1 ValidateConditions (a []metav1.Condition at `field`, e.g. "status.conditions"):
// duplicate types, type as a qualified name, status True/False/Unknown, observedGeneration,
// lastTransitionTime and reason required, reason format and length, message length.
std::vector<StatusCause> ValidateConditions(const Json& conditions, const std::string& field);

// IsWildcardDNS1123Subdomain ("*.example.com").
std::vector<std::string> IsWildcardDns1123Subdomain(const std::string& value);
// IsDomainPrefixedPath ("acme.io/foo"), as causes at `field` (Required when empty).
std::vector<StatusCause> IsDomainPrefixedPath(const std::string& field, const std::string& value);
// InclusiveRangeError: "must be between 1 and 65535, inclusive".
std::string InclusiveRangeError(int64_t lo, int64_t hi);

// IP addresses and CIDRs as k8s.io/utils/net parses them (ParseIPSloppy / ParseCIDRSloppy:
// IPv4 with leading zeros accepted). `bytes` holds 4 bytes for IPv4, 16 for IPv6.
struct IpAddress {
  bool v4 = true;
  std::vector<uint8_t> bytes;
  bool operator==(const IpAddress&) const = default;
};
struct IpNet {
  IpAddress ip;  // masked to the prefix, as net.ParseCIDR returns it
  int prefix = 0;
};
std::optional<IpAddress> ParseIp(const std::string& value);
std::optional<IpNet> ParseCidr(const std::string& value);
// net.IPNet.Contains (an IPv4 address is never inside an IPv6 network and vice versa).
bool CidrContains(const IpNet& net, const IpAddress& ip);
// validation.IsValidIP / IsValidCIDR of apimachinery 1.32: one cause each when invalid
// ("must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)").
std::vector<StatusCause> IsValidIp(const std::string& field, const std::string& value);
std::vector<StatusCause> IsValidCidr(const std::string& field, const std::string& value);

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
