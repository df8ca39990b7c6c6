// Helpers shared by the built-in resource entries (api/resources/*.cc): JSON access that
// never throws, table cells worded as kubectl's printers, validation causes worded as
// apimachinery's field errors (including Go's %#v rendering of values), and SpecStrategy,
// the data-driven strategy most kinds use.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/resource.h"

namespace minik::res {

// ---- JSON access -----------------------------------------------------------------------

// The value at `path`, or a static null when absent.
const Json& At(const Json& obj, std::initializer_list<const char*> path);
// obj[key] as an object, created (or replaced if not an object) when needed.
Json& Obj(Json& obj, const char* key);
// Sets obj[key] = value when absent or null. obj must be an object.
void SetDefault(Json& obj, const char* key, Json value);
bool IsTrue(const Json& obj, std::initializer_list<const char*> path);
// The array at `path`, or a static empty array.
const Json& Arr(const Json& obj, std::initializer_list<const char*> path);
// A string field, or "" for other types.
std::string Str(const Json& v);
// An integer field (whole doubles accepted), or nullopt.
std::optional<int64_t> Int(const Json& v);

// ---- table helpers ---------------------------------------------------------------------

extern const char* const kAgeDescription;  // ObjectMeta creationTimestamp doc
extern const char* const kNameDescription;
TableColumn Col(std::string name, std::string type, std::string description, int priority = 0,
                std::string format = "");
TableColumn AgeCol();
// translateTimestampSince: HumanDuration(now - ts), "<unknown>" when absent or unparsable.
std::string Since(const Json& timestamp, SystemTime now);
std::string AgeOf(const Json& obj, SystemTime now);
// layoutContainerCells: names and images joined with ",".
std::pair<std::string, std::string> ContainerCells(const Json& containers);
// labels.FormatLabels: "a=b,c=d" sorted, "<none>" when empty.
std::string FormatLabels(const Json& labels);
// The selector's canonical string ("a=b,c in (d,e)"), "" for an empty / absent selector.
std::string SelectorString(const Json& selector);
// metav1.FormatLabelSelector: SelectorString, "<none>" when empty.
std::string FormatLabelSelector(const Json& selector);
// intstr.IntOrString.String(): "25%" / "1".
std::string IntOrStringText(const Json& v);

// ---- Go renderings for messages --------------------------------------------------------

using ::minik::GoQuote;  // strconv.Quote, from api/validation.h
std::string GoStringMap(const Json& m);                       // map[string]string{"a":"b"}
std::string GoStringSlice(const std::vector<std::string>& v);  // []string{"a"}
std::string GoLabelSelector(const Json& sel);                 // v1.LabelSelector{...}
std::string GoIntOrString(const Json& v);                     // intstr.IntOrString{...}
// How field.Error renders a JSON scalar: strings quoted, numbers and bools plain.
std::string GoScalar(const Json& v);

// ---- causes, worded as field.Error bodies ----------------------------------------------

StatusCause InvalidCause(const std::string& field, const std::string& rendered_value,
                         const std::string& detail);
StatusCause InvalidValue(const std::string& field, const Json& scalar, const std::string& detail);
StatusCause RequiredCause(const std::string& field, const std::string& detail = "");
StatusCause ForbiddenCause(const std::string& field, const std::string& detail);
StatusCause DuplicateCause(const std::string& field, const std::string& rendered_value);
StatusCause NotFoundCause(const std::string& field, const std::string& rendered_value);
// Keeps the order of `supported` (callers pass upstream's order).
StatusCause NotSupportedCause(const std::string& field, const Json& value,
                              const std::vector<std::string>& supported);
StatusCause TooLongCause(const std::string& field, int64_t max_bytes);

using Causes = std::vector<StatusCause>;

// Common checks, appending causes.
void CheckNonNegative(Causes& out, const Json& obj, std::initializer_list<const char*> path,
                      const std::string& field);
void CheckLabels(Causes& out, const Json& labels, const std::string& field);
void CheckLabelSelector(Causes& out, const Json& selector, const std::string& field);
// metav1.LabelSelectorAsSelector succeeds (an object without invalid keys, values or operators).
bool SelectorParses(const Json& selector);
// The selector matches `labels` (metav1.LabelSelectorAsSelector(sel).Matches(labels)).
bool SelectorMatches(const Json& selector, const Json& labels);
bool SelectorEmpty(const Json& selector);
// A valid IANA service name (container / service port names), as IsValidPortName.
std::vector<std::string> PortNameErrors(const std::string& name);
bool IsIntOrString(const Json& v);
// The tail of upstream's "... is immutable\n<cmp.Diff>" messages: one "\n  <key>: <old> ->
// <new>" line per differing top-level key (not cmp.Diff's exact layout); "" when equal.
std::string SpecDiff(const Json& old_value, const Json& new_value);

// ---- SpecStrategy ----------------------------------------------------------------------

// kContent: anything but metadata and status (endpoint slices have no spec).
enum class Generation { kNone, kSpec, kSpecOrAnnotations, kContent };

// A strategy described by data: how status and generation behave, plus optional functions
// for defaulting and validation. Stateless and thread-safe.
struct StrategySpec {
  // Set for kinds with a status subresource: PrepareForCreate replaces status with this
  // value (Go's zero status as it serializes), PrepareForUpdate keeps the stored status.
  std::optional<Json> empty_status;
  Generation generation = Generation::kNone;
  std::function<void(Json&)> prepare_create;                // after the status / generation work
  std::function<void(Json&, const Json&)> prepare_update;   // likewise
  std::function<void(Json&)> defaults;
  std::function<void(Causes&, const Json&)> validate;
  // Extra checks on update; `validate` runs on the new object as well.
  std::function<void(Causes&, const Json&, const Json&)> validate_update;
  // Checks only on create, after `validate` (the cron job name length).
  std::function<void(Causes&, const Json&)> validate_create;
  // Checks of a status subresource write (Strategy::ValidateStatusUpdate); `validate` and
  // `validate_update` do not run on status writes.
  std::function<void(Causes&, const Json&, const Json&)> validate_status;
  // Replaces the status-update rule below (pods also keep their owner references).
  std::function<void(Json&, const Json&)> prepare_status_update;
  // The status update also keeps the stored labels (deploymentStatusStrategy only).
  bool status_keeps_labels = false;
};

class SpecStrategy : public Strategy {
 public:
  explicit SpecStrategy(StrategySpec spec) : spec_(std::move(spec)) {}
  void PrepareForCreate(Json& obj) const override;
  void PrepareForUpdate(Json& obj, const Json& old) const override;
  void PrepareForStatusUpdate(Json& obj, const Json& old) const override;
  void Default(Json& obj) const override;
  std::vector<StatusCause> Validate(const Json& obj) const override;
  std::vector<StatusCause> ValidateUpdate(const Json& obj, const Json& old) const override;
  std::vector<StatusCause> ValidateStatusUpdate(const Json& obj, const Json& old) const override;

 private:
  StrategySpec spec_;
};

std::shared_ptr<const Strategy> MakeStrategy(StrategySpec spec);

// The status strategies' PrepareForUpdate (newObj.Spec = oldObj.Spec): everything but
// metadata and status comes from the stored object, so a /status write changes the status
// and the metadata the request carries (annotations, finalizers, owner references, labels
// unless `keep_labels`); the registry keeps the system metadata (uid, generation, ...).
void KeepAllButStatusAndMetadata(Json& obj, const Json& old, bool keep_labels);

// ---- entry helpers ---------------------------------------------------------------------

extern const std::vector<std::string> kStandardVerbs;  // create ... watch
SubresourceInfo StatusSubresource(const std::string& group, const std::string& version,
                                  const std::string& kind);
SubresourceInfo ScaleSubresource();
// The apiserver's default table (rest.DefaultTableConvertor): Name and "Created At".
void DefaultTable(ResourceInfo& r);
// io.k8s.api.<pkg>.<version>.<Kind>; pkg is "core", "apps", "networking", ...
std::string SchemaName(const std::string& pkg, const std::string& version,
                       const std::string& kind);

}  // namespace minik::res
