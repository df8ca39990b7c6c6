// Strategic merge patch, following k8s.io/apimachinery/pkg/util/strategicpatch (patch.go,
// mergeMap and friends) with the options the apiserver uses (MergeParallelList and
// IgnoreUnmatchedNulls both true). The field metadata upstream reads from Go struct tags
// comes from our schemas: FieldSchema::patch_strategy and merge_key.
//
// Where upstream relies on the typed decode that follows a patch to drop directive keys and
// nulls left in replaced or appended values, we remove them here (Sanitize), because our
// objects stay JSON. Lookups by merge key and by value use hash maps instead of upstream's
// linear scans, so hostile lists cost O(n log n), not O(n^2).
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "api/patch.h"

namespace minik {
namespace {

constexpr const char* kDirectiveMarker = "$patch";
constexpr const char* kRetainKeys = "$retainKeys";
constexpr const char* kSetElementOrder = "$setElementOrder";
constexpr const char* kDeleteFromPrimitiveList = "$deleteFromPrimitiveList";

constexpr const char* kErrBadPatchFormatForPrimitiveList = "invalid patch format of primitive list";
constexpr const char* kErrBadPatchFormatForRetainKeys = "invalid patch format of retainKeys";
constexpr const char* kErrBadPatchFormatForSetElementOrderList =
    "invalid patch format of setElementOrder list";
constexpr const char* kGoMap = "map[string]interface {}";
constexpr const char* kGoSlice = "[]interface {}";

bool HasPrefix(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// ---- Go-style rendering, for error messages that quote values as upstream does ----

std::string GoFmt(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "<nil>";
    case Json::value_t::string: return v.get<std::string>();
    case Json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case Json::value_t::array: {
      std::string out = "[";
      bool first = true;
      for (const Json& e : v) {
        out += (first ? "" : " ") + GoFmt(e);
        first = false;
      }
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        out += (first ? "" : " ") + it.key() + ":" + GoFmt(*it);
        first = false;
      }
      return out + "]";
    }
    default: return v.dump();
  }
}

// reflect.TypeOf(v).String() of the decoded value (ints are int64: the apiserver decodes
// patches preserving integers).
std::string GoType(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "<nil>";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "int64";
    case Json::value_t::number_float: return "float64";
    case Json::value_t::array: return kGoSlice;
    case Json::value_t::object: return kGoMap;
    default: return "interface {}";
  }
}

Status ErrBadArgType(const char* expected, const Json& actual) {
  return BadRequest(std::string("expected a ") + expected + ", but received a " + GoType(actual));
}

Status ErrNoMergeKey(const Json& m, const std::string& key) {
  return BadRequest("map: " + GoFmt(m) + " does not contain declared merge key: " + key);
}

Status ErrBadPatchType(const Json& t, const Json& m) {
  return BadRequest("unknown patch type: " + GoFmt(t) + " in map: " + GoFmt(m));
}

// ---- Schema context ----

// What is known about a value's type: a struct from the schema, a map whose values are of
// one type (`type` may be null for primitive values), or nothing.
struct Ctx {
  enum class Kind { kUnknown, kStruct, kMapOf };
  Kind kind = Kind::kUnknown;
  const TypeSchema* type = nullptr;
};

struct FieldMeta {
  std::string strategy;  // "merge", "replace" or ""
  std::string merge_key;
  Ctx value;  // maps: the value's context; lists: each element's context
};

class Merger {
 public:
  explicit Merger(const SchemaRegistry& schemas) : schemas_(schemas) {}

  Status MergeMap(Json& original, Json patch, const Ctx& ctx, int depth);

 private:
  const TypeSchema* FindType(const std::string& name) const {
    return schemas_.Find(name);
  }

  FieldMeta Lookup(const Ctx& ctx, const std::string& key) const;
  Status ApplyRetainKeys(Json& original, Json& patch) const;
  Status MergeSetElementOrder(Json& original, Json& patch, const Ctx& ctx, int depth);
  StatusOr<Json> MergeSliceHandler(const Json& original, Json patch, const FieldMeta& meta,
                                   bool is_delete_list, int depth);
  StatusOr<Json> MergeSlice(const Json& original, const Json& patch, const std::string& merge_key,
                            const Ctx& elem, bool is_delete_list, int depth);
  StatusOr<Json> MergeWithoutSpecialElements(const Json& original, const Json& patch,
                                             const std::string& merge_key, const Ctx& elem,
                                             int depth);

  const SchemaRegistry& schemas_;
};

FieldMeta Merger::Lookup(const Ctx& ctx, const std::string& key) const {
  FieldMeta meta;
  if (ctx.kind == Ctx::Kind::kMapOf) {
    if (ctx.type) meta.value = Ctx{Ctx::Kind::kStruct, ctx.type};
    return meta;
  }
  if (ctx.kind != Ctx::Kind::kStruct || ctx.type == nullptr) return meta;
  const FieldSchema* field = nullptr;
  for (const auto& f : ctx.type->fields) {
    if (f.name == key) {
      field = &f;
      break;
    }
  }
  if (field == nullptr) return meta;
  // "merge,retainKeys": retainKeys needs no metadata (the directive drives it).
  size_t start = 0;
  while (start <= field->patch_strategy.size()) {
    size_t comma = field->patch_strategy.find(',', start);
    std::string part = field->patch_strategy.substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    if (part == "merge" || part == "replace") meta.strategy = part;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  meta.merge_key = field->merge_key;
  const TypeSchema* elem = field->type == ValueType::kObject ? FindType(field->ref) : nullptr;
  if (field->container == Container::kMap) {
    meta.value = Ctx{Ctx::Kind::kMapOf, elem};
  } else if (elem != nullptr) {
    meta.value = Ctx{Ctx::Kind::kStruct, elem};
  }
  return meta;
}

bool IsDirectiveKey(const std::string& k) {
  return k == kDirectiveMarker || k == kRetainKeys || HasPrefix(k, "$setElementOrder/") ||
         HasPrefix(k, "$deleteFromPrimitiveList/");
}

// Upstream's discardNullValuesFromPatch + removeDirectives for a value taken from the patch
// as is: drops null map values, maps carrying $patch (returns false for the value itself)
// and directive keys.
bool Sanitize(Json& v) {
  if (v.is_object()) {
    if (v.contains(kDirectiveMarker)) return false;
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null() || IsDirectiveKey(it.key()) || !Sanitize(*it)) {
        it = v.erase(it);
      } else {
        ++it;
      }
    }
  } else if (v.is_array()) {
    Json kept = Json::array();
    for (Json& e : v) {
      if (Sanitize(e)) kept.push_back(std::move(e));
    }
    v = std::move(kept);
  }
  return true;
}

// Splits "$prefix/key"; false unless the part before the first '/' is exactly `prefix`.
bool ExtractKey(const std::string& s, const char* prefix, std::string* key) {
  size_t slash = s.find('/');
  if (slash == std::string::npos || s.compare(0, slash, prefix) != 0) return false;
  *key = s.substr(slash + 1);
  return true;
}

// Element kinds of a list, as Go's reflect types.
enum class Elem { kNone, kMap, kList, kString, kInt, kFloat, kBool, kNull };

Elem ElemOf(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: return Elem::kMap;
    case Json::value_t::array: return Elem::kList;
    case Json::value_t::string: return Elem::kString;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return Elem::kInt;
    case Json::value_t::number_float: return Elem::kFloat;
    case Json::value_t::boolean: return Elem::kBool;
    default: return Elem::kNull;
  }
}

StatusOr<Elem> SliceElementType(const Json& a, const Json& b) {
  Elem prev = Elem::kNone;
  for (const Json* list : {&a, &b}) {
    if (!list->is_array()) continue;
    for (const Json& v : *list) {
      Elem cur = ElemOf(v);
      if (prev == Elem::kNone) {
        prev = cur;
        if (prev == Elem::kList) return PatchApplyError("lists of lists are not supported");
      } else if (prev != cur) {
        return BadRequest("list element types are not identical: [" + GoFmt(a) + " " + GoFmt(b) +
                          "]");
      }
    }
  }
  if (prev == Elem::kNone) return BadRequest("no elements in any of the given slices");
  return prev;
}

// The identity of a list item: its merge-key value for maps (null when absent or not a map,
// as Go's map lookup gives nil), the item itself for primitives.
std::string ItemKey(const Json& item, const std::string& merge_key, bool is_map) {
  if (!is_map) return item.dump();
  if (!item.is_object()) return "null";
  auto it = item.find(merge_key);
  return it == item.end() ? "null" : it->dump();
}

std::unordered_map<std::string, size_t> IndexOf(const Json& list, const std::string& merge_key,
                                                bool is_map) {
  std::unordered_map<std::string, size_t> idx;
  if (!list.is_array()) return idx;
  for (size_t i = 0; i < list.size(); ++i) idx.emplace(ItemKey(list[i], merge_key, is_map), i);
  return idx;
}

Status ValidateMergeKeyInLists(const std::string& merge_key, const Json& a, const Json& b) {
  for (const Json* list : {&a, &b}) {
    if (!list->is_array()) continue;
    for (const Json& item : *list) {
      if (!item.is_object()) return ErrBadArgType(kGoMap, item);
      if (!item.contains(merge_key)) return ErrNoMergeKey(item, merge_key);
    }
  }
  return Status::Ok();
}

bool IsDeleteItem(const Json& v) {
  auto it = v.find(kDirectiveMarker);
  return it != v.end() && *it == "delete";
}

// Sorts `to_sort` by the positions of its items in `order` (stable; unknown items last), with
// $patch:delete items at the end.
StatusOr<Json> NormalizeSliceOrder(const Json& to_sort, const Json& order,
                                   const std::string& merge_key, bool is_map) {
  std::vector<Json> keep, to_delete;
  if (is_map) {
    MINIK_RETURN_IF_ERROR(ValidateMergeKeyInLists(merge_key, to_sort, order));
  }
  for (const Json& item : to_sort) {
    (is_map && IsDeleteItem(item) ? to_delete : keep).push_back(item);
  }
  auto idx = IndexOf(order, merge_key, is_map);
  std::vector<std::pair<size_t, size_t>> ranks;  // (rank, original position)
  for (size_t i = 0; i < keep.size(); ++i) {
    auto it = idx.find(ItemKey(keep[i], merge_key, is_map));
    ranks.push_back({it == idx.end() ? SIZE_MAX : it->second, i});
  }
  std::stable_sort(ranks.begin(), ranks.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Json out = Json::array();
  for (const auto& r : ranks) out.push_back(std::move(keep[r.second]));
  for (auto& d : to_delete) out.push_back(std::move(d));
  return out;
}

// Interleaves server-only items (left) into patch items (right), keeping each list's order;
// a server item goes first only when both are in the live list and it came first there.
Json MergeSortedSlice(const Json& left, const Json& right, const Json& server_order,
                      const std::string& merge_key, bool is_map) {
  auto idx = IndexOf(server_order, merge_key, is_map);
  Json out = Json::array();
  size_t i = 0, j = 0;
  while (i < left.size() || j < right.size()) {
    if (i >= left.size()) {
      out.push_back(right[j++]);
    } else if (j >= right.size()) {
      out.push_back(left[i++]);
    } else {
      auto li = idx.find(ItemKey(left[i], merge_key, is_map));
      auto ri = idx.find(ItemKey(right[j], merge_key, is_map));
      if (li != idx.end() && ri != idx.end() && li->second < ri->second) {
        out.push_back(left[i++]);
      } else {
        out.push_back(right[j++]);
      }
    }
  }
  return out;
}

StatusOr<Json> NormalizeElementOrder(const Json& patch_items, const Json& server_only,
                                     const Json& patch_order, const Json& server_order,
                                     const std::string& merge_key, bool is_map) {
  auto p = NormalizeSliceOrder(patch_items, patch_order, merge_key, is_map);
  if (!p.ok()) return p.status();
  auto s = NormalizeSliceOrder(server_only, server_order, merge_key, is_map);
  if (!s.ok()) return s.status();
  return MergeSortedSlice(*s, *p, server_order, merge_key, is_map);
}

void PartitionPrimitives(const Json& merged, const Json& by, Json* in, Json* out) {
  std::unordered_set<std::string> present;
  if (by.is_array()) {
    for (const Json& v : by) present.insert(v.dump());
  }
  *in = Json::array();
  *out = Json::array();
  for (const Json& v : merged) (present.count(v.dump()) ? *in : *out).push_back(v);
}

Status PartitionMaps(const Json& merged, const Json& by, const std::string& merge_key, Json* in,
                     Json* out) {
  // Upstream scans `by` for each item and fails on a non-map met before a match.
  std::unordered_map<std::string, size_t> first;
  size_t first_non_map = SIZE_MAX;
  if (by.is_array()) {
    for (size_t i = 0; i < by.size(); ++i) {
      if (!by[i].is_object()) {
        first_non_map = std::min(first_non_map, i);
        continue;
      }
      auto it = by[i].find(merge_key);
      if (it != by[i].end()) first.emplace(it->dump(), i);
    }
  }
  *in = Json::array();
  *out = Json::array();
  for (const Json& v : merged) {
    if (!v.is_object()) return ErrBadArgType(kGoMap, v);
    auto key = v.find(merge_key);
    if (key == v.end()) return ErrNoMergeKey(v, merge_key);
    auto hit = first.find(key->dump());
    size_t pos = hit == first.end() ? SIZE_MAX : hit->second;
    if (first_non_map < pos) {
      return BadRequest("value for key " + std::to_string(first_non_map) + " is not a map");
    }
    (hit != first.end() ? *in : *out).push_back(v);
  }
  return Status::Ok();
}

StatusOr<bool> MergeKeyValueEqual(const Json& left, const Json& right,
                                  const std::string& merge_key) {
  if (merge_key.empty()) return left == right;
  if (!left.is_object()) return ErrBadArgType(kGoMap, left);
  if (!right.is_object()) return ErrBadArgType(kGoMap, right);
  auto l = left.find(merge_key);
  if (l == left.end()) return ErrNoMergeKey(left, merge_key);
  auto r = right.find(merge_key);
  if (r == right.end()) return ErrNoMergeKey(right, merge_key);
  return *l == *r;
}

// The relative order of the patch list must agree with $setElementOrder, and the patch list
// must be a subset of it (deletions aside).
Status ValidatePatchWithSetOrderList(const Json& patch_list, const Json& order,
                                     const std::string& merge_key) {
  if (order.empty() || patch_list.empty()) return Status::Ok();
  std::vector<const Json*> non_delete;
  for (const Json& item : patch_list) {
    if (!merge_key.empty()) {
      if (!item.is_object()) return ErrBadArgType(kGoMap, item);
      if (IsDeleteItem(item)) continue;
    }
    non_delete.push_back(&item);
  }
  size_t p = 0, s = 0;
  while (p < non_delete.size() && s < order.size()) {
    if (non_delete[p]->is_object() && non_delete[p]->contains(kDirectiveMarker)) {
      ++p;
      continue;
    }
    auto eq = MergeKeyValueEqual(*non_delete[p], order[s], merge_key);
    if (!eq.ok()) return eq.status();
    if (*eq) ++p;
    ++s;
  }
  if (p < non_delete.size() && s >= order.size()) {
    return BadRequest("The order in patch list:\n" + GoFmt(patch_list) + "\n doesn't match " +
                      kSetElementOrder + " list:\n" + GoFmt(order) + "\n");
  }
  return Status::Ok();
}

// Upstream merges a list in place: deleteMatchingEntries shifts the live list's backing
// array left and the appends of new items then write into the freed slots. mergePatchIntoOriginal
// later reads the live list back (same backing array, same length) as the "server order" for
// $setElementOrder, so that aliasing decides where server-only items land. This reproduces the
// array upstream sees (lists reach the patcher with len == cap, from ToUnstructured).
Json AliasedServerOrder(const Json& original, const Json& patch, const std::string& merge_key) {
  const size_t cap = original.size();
  std::vector<const Json*> live;
  for (const Json& v : original) live.push_back(&v);
  std::vector<bool> gone(cap, false);
  std::vector<const Json*> frozen(cap, nullptr);  // tail slots, fixed when they fall off the end
  size_t len = cap, last = cap;                   // `last`: one past the last live index
  std::unordered_map<std::string, std::vector<size_t>> by_key;
  for (size_t i = 0; i < cap; ++i) {
    if (!original[i].is_object()) return original;
    auto k = original[i].find(merge_key);
    if (k != original[i].end()) by_key[k->dump()].push_back(i);
  }
  bool replace = false;
  for (const Json& v : patch) {
    if (!v.is_object()) return original;
    auto d = v.find(kDirectiveMarker);
    if (d == v.end()) continue;
    if (*d == "replace") replace = true;
    if (*d != "delete") continue;
    auto key = v.find(merge_key);
    if (key == v.end()) continue;  // reported by the merge itself
    auto hit = by_key.find(key->dump());
    if (hit == by_key.end()) continue;
    for (size_t i : hit->second) {
      if (gone[i]) continue;
      while (last > 0 && gone[last - 1]) --last;
      frozen[len - 1] = live[last - 1];  // the slot past the new end keeps the old last item
      gone[i] = true;
      --len;
    }
    by_key.erase(hit);
  }
  std::vector<const Json*> out;
  std::unordered_set<std::string> present;
  for (size_t i = 0; i < cap; ++i) {
    if (gone[i]) continue;
    out.push_back(live[i]);
    auto k = live[i]->find(merge_key);
    if (k != live[i]->end()) present.insert(k->dump());
  }
  if (!replace) {
    // New items are appended; those that fit before `cap` land in the aliased slots.
    for (const Json& v : patch) {
      if (out.size() >= cap) break;
      if (v.contains(kDirectiveMarker)) continue;
      auto k = v.find(merge_key);
      if (k == v.end()) break;
      if (present.insert(k->dump()).second) out.push_back(&v);
    }
  }
  for (size_t p = out.size(); p < cap; ++p) out.push_back(frozen[p] ? frozen[p] : live[p]);
  Json result = Json::array();
  for (const Json* v : out) result.push_back(*v);
  return result;
}

Status Merger::ApplyRetainKeys(Json& original, Json& patch) const {
  auto it = patch.find(kRetainKeys);
  if (it == patch.end()) return Status::Ok();
  Json retain = std::move(*it);
  patch.erase(it);
  if (!retain.is_array()) return BadRequest(kErrBadPatchFormatForRetainKeys);
  std::unordered_set<std::string> keys;
  for (const Json& k : retain) {
    if (k.is_string()) keys.insert(k.get<std::string>());
  }
  for (auto p = patch.begin(); p != patch.end(); ++p) {
    if (p->is_null() || HasPrefix(p.key(), kDeleteFromPrimitiveList) ||
        HasPrefix(p.key(), kSetElementOrder)) {
      continue;
    }
    if (!keys.count(p.key())) return BadRequest(kErrBadPatchFormatForRetainKeys);
  }
  for (auto o = original.begin(); o != original.end();) {
    o = keys.count(o.key()) ? std::next(o) : original.erase(o);
  }
  return Status::Ok();
}

Status Merger::MergeSetElementOrder(Json& original, Json& patch, const Ctx& ctx, int depth) {
  std::vector<std::string> order_keys;
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (HasPrefix(it.key(), kSetElementOrder)) order_keys.push_back(it.key());
  }
  for (const std::string& key : order_keys) {
    Json order = std::move(patch[key]);
    patch.erase(key);
    if (!order.is_array()) return ErrBadArgType(kGoSlice, order);
    std::string list_key;
    if (!ExtractKey(key, kSetElementOrder, &list_key)) {
      return BadRequest(kErrBadPatchFormatForSetElementOrderList);
    }
    auto orig_it = original.find(list_key);
    auto patch_it = patch.find(list_key);
    bool found_original = orig_it != original.end();
    bool found_patch = patch_it != patch.end();
    if (found_original && !orig_it->is_array()) return ErrBadArgType(kGoSlice, *orig_it);
    if (found_patch && !patch_it->is_array()) return ErrBadArgType(kGoSlice, *patch_it);
    const Json original_list = found_original ? *orig_it : Json::array();
    Json patch_list = found_patch ? *patch_it : Json::array();
    FieldMeta meta = Lookup(ctx, list_key);
    MINIK_RETURN_IF_ERROR(ValidatePatchWithSetOrderList(patch_list, order, meta.merge_key));

    Json merged;
    if (found_original && !found_patch) {
      merged = original_list;
    } else if (!found_original && found_patch) {
      merged = patch_list;
      Sanitize(merged);
    } else if (found_original && found_patch) {
      auto m = MergeSliceHandler(original_list, patch_list, meta, false, depth);
      if (!m.ok()) return m.status();
      merged = std::move(*m);
    } else {
      continue;
    }

    const bool keyed = !meta.merge_key.empty();
    Json patch_items, server_only;
    if (!keyed) {
      PartitionPrimitives(merged, order, &patch_items, &server_only);
    } else {
      MINIK_RETURN_IF_ERROR(PartitionMaps(merged, order, meta.merge_key, &patch_items, &server_only));
    }
    if (original_list.empty() && patch_list.empty()) {
      // Nothing to order. (Upstream fails here with "no elements in any of the given
      // slices"; an empty list is a harmless thing to keep.)
      original[list_key] = std::move(merged);
      patch.erase(list_key);
      continue;
    }
    auto elem = SliceElementType(original_list, patch_list);
    if (!elem.ok()) return elem.status();
    Json server_order = original_list;
    if (found_original && found_patch && keyed && meta.strategy == "merge" &&
        *elem == Elem::kMap) {
      server_order = AliasedServerOrder(original_list, patch_list, meta.merge_key);
    }
    auto both = NormalizeElementOrder(patch_items, server_only, order, server_order,
                                      meta.merge_key, *elem == Elem::kMap);
    if (!both.ok()) return both.status();
    original[list_key] = std::move(*both);
    patch.erase(list_key);
  }
  return Status::Ok();
}

StatusOr<Json> Merger::MergeSliceHandler(const Json& original, Json patch, const FieldMeta& meta,
                                         bool is_delete_list, int depth) {
  if (meta.strategy == "merge" || is_delete_list) {
    return MergeSlice(original, patch, meta.merge_key, meta.value, is_delete_list, depth);
  }
  Sanitize(patch);  // atomic list: replaced
  return patch;
}

StatusOr<Json> Merger::MergeWithoutSpecialElements(const Json& original, const Json& patch,
                                                   const std::string& merge_key, const Ctx& elem,
                                                   int depth) {
  Json result = original;
  std::unordered_map<std::string, size_t> index;
  for (size_t i = 0; i < result.size(); ++i) {
    auto it = result[i].find(merge_key);
    if (it != result[i].end()) index.emplace(it->dump(), i);
  }
  for (const Json& v : patch) {
    auto key = v.find(merge_key);
    if (key == v.end()) return ErrNoMergeKey(v, merge_key);
    std::string k = key->dump();
    auto hit = index.find(k);
    if (hit != index.end()) {
      MINIK_RETURN_IF_ERROR(MergeMap(result[hit->second], v, elem, depth + 1));
    } else {
      Json item = v;
      Sanitize(item);
      index.emplace(k, result.size());
      result.push_back(std::move(item));
    }
  }
  return result;
}

StatusOr<Json> Merger::MergeSlice(const Json& original, const Json& patch,
                                  const std::string& merge_key, const Ctx& elem,
                                  bool is_delete_list, int depth) {
  if (original.empty() && patch.empty()) return original;
  auto kind = SliceElementType(original, patch);
  if (!kind.ok()) return kind.status();

  Json merged, order_original, order_patch;
  if (*kind != Elem::kMap) {
    if (is_delete_list) {
      std::unordered_set<std::string> remove;
      for (const Json& v : patch) remove.insert(v.dump());
      Json out = Json::array();
      for (const Json& v : original) {
        if (!remove.count(v.dump())) out.push_back(v);
      }
      return out;
    }
    // A set: the union, first occurrence kept.
    merged = Json::array();
    std::unordered_set<std::string> seen;
    for (const Json* list : {&original, &patch}) {
      for (const Json& v : *list) {
        if (seen.insert(v.dump()).second) merged.push_back(v);
      }
    }
    order_original = original;
    order_patch = patch;
  } else {
    if (merge_key.empty()) {
      return BadRequest(std::string("cannot merge lists without merge key for ") +
                        (elem.type ? "struct" : "interface"));
    }
    // Special elements: {"$patch":"delete", key: v} removes matching items,
    // {"$patch":"replace"} makes the rest of the patch list the whole list.
    std::unordered_set<std::string> deleted;
    bool replace = false;
    Json rest = Json::array();
    for (const Json& v : patch) {
      auto directive = v.find(kDirectiveMarker);
      if (directive == v.end()) {
        rest.push_back(v);
        continue;
      }
      if (*directive == "delete") {
        auto key = v.find(merge_key);
        if (key == v.end()) return ErrNoMergeKey(v, merge_key);
        deleted.insert(key->dump());
      } else if (*directive == "replace") {
        replace = true;
      } else if (*directive == "merge") {
        return BadRequest("merging lists cannot yet be specified in the patch");
      } else {
        return ErrBadPatchType(*directive, v);
      }
    }
    if (replace) {
      Sanitize(rest);
      order_original = std::move(rest);
      order_patch = Json::array();
    } else {
      order_original = Json::array();
      for (const Json& v : original) {
        auto key = v.find(merge_key);
        if (key != v.end() && deleted.count(key->dump())) continue;
        order_original.push_back(v);
      }
      order_patch = std::move(rest);
    }
    auto m = MergeWithoutSpecialElements(order_original, order_patch, merge_key, elem, depth);
    if (!m.ok()) return m.status();
    merged = std::move(*m);
  }

  const bool is_map = *kind == Elem::kMap;
  Json patch_items, server_only;
  if (merge_key.empty()) {
    PartitionPrimitives(merged, order_patch, &patch_items, &server_only);
  } else {
    MINIK_RETURN_IF_ERROR(PartitionMaps(merged, order_patch, merge_key, &patch_items, &server_only));
  }
  return NormalizeElementOrder(patch_items, server_only, order_patch, order_original, merge_key,
                               is_map);
}

// JSON value classes as Go's reflect types (map, slice, string, int64, float64, bool).
int TypeClass(const Json& v) {
  switch (v.type()) {
    case Json::value_t::number_unsigned: return static_cast<int>(Json::value_t::number_integer);
    default: return static_cast<int>(v.type());
  }
}

Status Merger::MergeMap(Json& original, Json patch, const Ctx& ctx, int depth) {
  if (depth > kMaxPatchDepth) {
    return BadRequest("strategic merge patch nests deeper than " + std::to_string(kMaxPatchDepth) +
                      " levels");
  }
  if (auto d = patch.find(kDirectiveMarker); d != patch.end()) {
    if (*d == "replace") {
      patch.erase(d);
      Sanitize(patch);
      original = std::move(patch);
      return Status::Ok();
    }
    if (*d == "delete") {
      original = Json::object();
      return Status::Ok();
    }
    if (*d != "merge") return ErrBadPatchType(*d, patch);
    // "$patch: merge" is the default; upstream rejects it in maps, we accept it.
    patch.erase(d);
  }
  if (!original.is_object()) original = Json::object();

  MINIK_RETURN_IF_ERROR(ApplyRetainKeys(original, patch));
  MINIK_RETURN_IF_ERROR(MergeSetElementOrder(original, patch, ctx, depth));

  for (auto p = patch.begin(); p != patch.end(); ++p) {
    std::string key = p.key();
    Json& patch_value = *p;
    bool is_delete_list = false;
    if (HasPrefix(key, kDeleteFromPrimitiveList)) {
      if (!ExtractKey(p.key(), kDeleteFromPrimitiveList, &key)) {
        return BadRequest(kErrBadPatchFormatForPrimitiveList);
      }
      is_delete_list = true;
    }
    if (patch_value.is_null()) {
      original.erase(key);
      continue;
    }
    auto cur = original.find(key);
    if (cur == original.end() || TypeClass(*cur) != TypeClass(patch_value)) {
      // New field or changed type: take the patch value, unless this is a deletion list.
      if (!is_delete_list) {
        Json v = patch_value;
        if (Sanitize(v)) {
          original[key] = std::move(v);
        } else {
          original.erase(key);
        }
      }
      continue;
    }
    if (cur->is_object()) {
      FieldMeta meta = Lookup(ctx, key);
      if (meta.strategy == "replace" && !patch_value.contains(kDirectiveMarker)) {
        Json v = patch_value;
        Sanitize(v);
        *cur = std::move(v);
      } else {
        MINIK_RETURN_IF_ERROR(MergeMap(*cur, patch_value, meta.value, depth + 1));
      }
    } else if (cur->is_array()) {
      FieldMeta meta = Lookup(ctx, key);
      auto merged = MergeSliceHandler(*cur, patch_value, meta, is_delete_list, depth + 1);
      if (!merged.ok()) return merged.status();
      *cur = std::move(*merged);
    } else {
      *cur = patch_value;
    }
  }
  return Status::Ok();
}

const char* JsonKindName(const Json& v) {
  if (v.is_array()) return "array";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_number()) return "number";
  return "value";
}

}  // namespace

StatusOr<Json> ApplyStrategicMergePatch(const SchemaRegistry& schemas, const TypeSchema* type,
                                        const Json& doc, const Json& patch) {
  if (patch.is_null()) return doc;  // decodes as an empty patch upstream
  if (!patch.is_object()) {
    return BadRequest(std::string("json: cannot unmarshal ") + JsonKindName(patch) +
                      " into Go value of type map[string]interface {}");
  }
  if (!doc.is_object()) return BadRequest("invalid JSON document");
  try {
    Json result = doc;
    Ctx ctx;
    if (type != nullptr) ctx = Ctx{Ctx::Kind::kStruct, type};
    Merger merger(schemas);
    MINIK_RETURN_IF_ERROR(merger.MergeMap(result, patch, ctx, 0));
    return result;
  } catch (const std::exception& e) {
    // Every access above is type-checked; this guards allocation failures and the like.
    return BadRequest(std::string("strategic merge patch failed: ") + e.what());
  }
}

StatusOr<Json> ApplyPatchOfType(PatchType type, const SchemaRegistry& schemas,
                                const TypeSchema* schema, const Json& target, const Json& patch) {
  switch (type) {
    case PatchType::kJson:
      if (!patch.is_array()) return BadRequest("json patch must be an array of operations");
      return ApplyJsonPatch(target, patch);
    case PatchType::kMerge:
      if (!patch.is_object()) return BadRequest("merge patch must be a JSON object");
      return ApplyMergePatch(target, patch);
    case PatchType::kStrategicMerge:
      if (!patch.is_object()) return BadRequest("strategic merge patch must be a JSON object");
      return ApplyStrategicMergePatch(schemas, schema, target, patch);
    case PatchType::kApply:
      break;
  }
  return NotImplemented("patch type not supported");
}

}  // namespace minik
