// Field sets: the ownership bookkeeping of server-side apply, as sigs.k8s.io/structured-merge-diff
// (fieldpath, typed) does it, over minik's JSON objects and compiled-in schemas.
//
// A path element is kept in its FieldsV1 spelling, which is canonical (equal elements are
// equal strings):
//   "f:name"               a field of a struct, or a key of a map
//   "k:{\"name\":\"x\"}"   an item of an associative list (list-map), by its keys: compact
//                          JSON, keys sorted, strings escaped as Go's encoding/json does
//   "v:\"a\""              an item of a set (list of scalars), by its value
//   "i:3"                  an item of an atomic list by index (only ever read, never built)
// A Set is a tree of path elements; a node is a member when the path to it is in the set
// ("." in FieldsV1 when the node also has children).
//
// The typed operations (ToFieldSet, Compare, Merge, RemoveItems) read a kind's schema:
//   struct types           -> granular, `f:<field>` children
//   map<T> fields          -> granular, `f:<key>` children
//   list listmap=k1,k2     -> `k:` items; `set` lists -> `v:` items; a list with a merge
//                             strategy and no list type: list-map by its merge key (or a set
//                             without one), as kube-openapi's schema conversion does
//   atomic lists, scalars, Quantity/IntOrString/Time..., kAny/RawExtension/FieldsV1
//                          -> leaves (owned and replaced whole)
// Without a schema (Typed::root == nullptr) objects are granular maps and lists atomic, like
// upstream's deduced ("untyped") handling.
//
// Thread-safety: values; no shared state.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/json.h"
#include "api/schema.h"
#include "api/status.h"

namespace minik::fieldpath {

using PathElement = std::string;
using Path = std::vector<PathElement>;

// Orders path elements as upstream's PathElement.Compare: fields, then keys, then values,
// then indexes (indexes numerically, the rest by their spelling).
struct ElementLess {
  bool operator()(const PathElement& a, const PathElement& b) const;
};

PathElement FieldElement(std::string_view name);
PathElement IndexElement(int64_t index);
// `v:` + the value's canonical JSON.
PathElement ValueElement(const Json& value);
// `k:` + the canonical JSON of `keys` (a JSON object of key field -> value).
PathElement KeyElement(const Json& keys);

// Upstream's Path.String(): ".spec.containers[name=\"a\"].ports[containerPort=80,protocol=\"TCP\"]",
// "[=\"x\"]" for set values, "[3]" for indexes.
std::string PathString(const Path& path);

// JSON the way Go's encoding/json writes it: compact, object keys sorted, `<>&` and U+2028/9
// escaped. Used for path elements and the last-applied annotation.
std::string GoJson(const Json& value);

class Set {
 public:
  // A node of the tree: `member` when the path to this node is in the set.
  struct Node {
    bool member = false;
    std::map<PathElement, Node, ElementLess> children;
    bool Empty() const;  // no member anywhere at or below this node
  };

  Set() = default;
  explicit Set(Node root) : root_(std::move(root)) { root_.member = false; }

  // Parses FieldsV1 JSON (`{"f:data":{".":{},"f:a":{}}}`) as upstream's Set.FromJSON: keys of
  // unknown element types are dropped; malformed keys or values -> BadRequest.
  static StatusOr<Set> FromFieldsV1(const Json& fields);
  // FieldsV1 JSON; "." marks a member that also has children.
  Json ToFieldsV1() const;

  bool Empty() const { return root_.Empty(); }
  // Adds `path` (the empty path, the whole object, is never tracked).
  void Insert(const Path& path);
  bool Has(const Path& path) const;
  // Number of member paths.
  size_t Size() const;

  Set Union(const Set& other) const;
  Set Intersection(const Set& other) const;
  // Paths of this set not in `other` (a parent in `other` does not remove its children).
  Set Difference(const Set& other) const;
  // Paths of this set not in `other`, where a member of `other` removes its whole subtree.
  Set RecursiveDifference(const Set& other) const;
  bool operator==(const Set& other) const;
  // Whether some path is a member of both sets (cheaper than Intersection().Empty()).
  bool Intersects(const Set& other) const;

  // Every member path in upstream's order (members of a node before its children's subtrees).
  void Iterate(const std::function<void(const Path&)>& fn) const;
  std::vector<Path> Paths() const;

  const Node& root() const { return root_; }

 private:
  Node root_;
};

// The schema context of the typed operations.
struct Typed {
  const SchemaRegistry& schemas;
  const TypeSchema* root = nullptr;  // the kind's type; nullptr: no schema (deduced)
};

// Every field set in `obj` (upstream TypedValue.ToFieldSet): leaves, list items, map entries
// and empty/null values. Lenient: items that have no path element are skipped.
Set ToFieldSet(const Typed& typed, const Json& obj);

// Upstream typed Compare: added / modified / removed leaves, plus the list items and map or
// struct nodes that appear or disappear as a whole. `lhs` nullptr: no old object.
// `skip`: subtrees not looked at (a member skips its subtree). BadRequest-style error for list
// items without a path element (missing keys, maps in sets).
struct Comparison {
  Set added, modified, removed;
  bool IsSame() const { return added.Empty() && modified.Empty() && removed.Empty(); }
};
StatusOr<Comparison> Compare(const Typed& typed, const Json* lhs, const Json& rhs,
                             const Set* skip = nullptr);

// Checks an applied configuration: list-map items must carry their keys, no duplicate items,
// sets hold scalars. The error names the path: ".spec.containers: duplicate entries for key
// [name=\"a\"]".
Status ValidateApplied(const Typed& typed, const Json& config);

// Merges an applied configuration into a live object (upstream typed Merge): the
// configuration's leaves win, maps and structs merge by key, list-maps and sets merge by item
// in upstream's order (live items first, the configuration's order for shared and new ones),
// atomic lists and untyped values are replaced. Null members of the result are dropped.
StatusOr<Json> Merge(const Typed& typed, const Json& live, const Json& config);

// `obj` without the paths that are members of `items` (upstream RemoveItems); containers left
// empty by the removal disappear.
Json RemoveItems(const Typed& typed, const Json& obj, const Set& items);

// Adds as members the struct fields that have members below them (upstream
// EnsureNamedFieldsAreMembers), so removing such a set removes those fields too.
Set EnsureNamedFieldsAreMembers(const Typed& typed, const Set& set);

}  // namespace minik::fieldpath
