// Field sets and the typed walks of structured-merge-diff (fieldpath/set.go, serialize.go,
// typed/tofieldset.go, compare.go, merge.go, remove.go), over nlohmann::json and the
// compiled-in schemas. See api/fieldpath.h for the contract.
#include "api/fieldpath.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <unordered_map>

namespace minik::fieldpath {
namespace {

int Rank(const PathElement& pe) {
  if (pe.empty()) return 4;
  switch (pe[0]) {
    case 'f': return 0;
    case 'k': return 1;
    case 'v': return 2;
    case 'i': return 3;
  }
  return 4;
}

// ---- Go-compatible JSON -------------------------------------------------------------------

void AppendGoString(std::string& out, const std::string& s) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '<': case '>': case '&':
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
        continue;
      default: break;
    }
    if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
      continue;
    }
    // U+2028 and U+2029 (E2 80 A8 / E2 80 A9).
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
         static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      continue;
    }
    out += static_cast<char>(c);
  }
  out += '"';
}

void AppendGoFloat(std::string& out, double f) {
  if (std::isfinite(f) && f == std::floor(f) && std::fabs(f) < 1e21) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", f);
    out += buf;
    return;
  }
  out += Json(f).dump();
}

void AppendGoJson(std::string& out, const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: out += "null"; return;
    case Json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer: out += std::to_string(v.get<int64_t>()); return;
    case Json::value_t::number_unsigned: out += std::to_string(v.get<uint64_t>()); return;
    case Json::value_t::number_float: AppendGoFloat(out, v.get<double>()); return;
    case Json::value_t::string: AppendGoString(out, v.get_ref<const std::string&>()); return;
    case Json::value_t::array: {
      out += '[';
      bool first = true;
      for (const Json& e : v) {
        if (!first) out += ',';
        first = false;
        AppendGoJson(out, e);
      }
      out += ']';
      return;
    }
    case Json::value_t::object: {
      out += '{';
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ',';
        first = false;
        AppendGoString(out, it.key());
        out += ':';
        AppendGoJson(out, it.value());
      }
      out += '}';
      return;
    }
    default: out += "null"; return;
  }
}

// Go's %q: printable characters kept, the rest escaped.
std::string GoQuote(const std::string& s) {
  static const char* kHex = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\a': out += "\\a"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\v': out += "\\v"; continue;
      default: break;
    }
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

// value.ToString.
std::string ValueToString(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer: return std::to_string(v.get<int64_t>());
    case Json::value_t::number_unsigned: return std::to_string(v.get<uint64_t>());
    case Json::value_t::number_float: {
      std::string s;
      AppendGoFloat(s, v.get<double>());
      return s;
    }
    case Json::value_t::string: return GoQuote(v.get_ref<const std::string&>());
    case Json::value_t::array: {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) s += ',';
        s += ValueToString(v[i]);
      }
      return s + "]";
    }
    case Json::value_t::object: {
      std::string s;
      for (auto it = v.begin(); it != v.end(); ++it) s += it.key() + "=" + ValueToString(it.value());
      return s;
    }
    default: return "{{undefined}}";
  }
}

std::string ElementString(const PathElement& pe) {
  if (pe.size() < 2) return "{{invalid path element}}";
  std::string body = pe.substr(2);
  switch (pe[0]) {
    case 'f': return "." + body;
    case 'i': return "[" + body + "]";
    case 'v': {
      auto v = ParseJson(body);
      return "[=" + (v.ok() ? ValueToString(*v) : body) + "]";
    }
    case 'k': {
      auto v = ParseJson(body);
      if (!v.ok() || !v->is_object()) return "[" + body + "]";
      std::string s = "[";
      bool first = true;
      for (auto it = v->begin(); it != v->end(); ++it) {
        if (!first) s += ',';
        first = false;
        s += it.key() + "=" + ValueToString(it.value());
      }
      return s + "]";
    }
  }
  return "{{invalid path element}}";
}

// Parses a FieldsV1 key into its canonical spelling. nullopt with ok status: an unknown
// element type, to be dropped as upstream does.
StatusOr<std::optional<PathElement>> CanonicalElement(const std::string& key) {
  if (key.size() < 2) return BadRequest("key must be 2 characters long: " + key);
  if (key[1] != ':') return BadRequest("missing colon: " + key);
  std::string body = key.substr(2);
  switch (key[0]) {
    case 'f': return std::optional<PathElement>(key);
    case 'i': {
      char* end = nullptr;
      errno = 0;
      long long n = std::strtoll(body.c_str(), &end, 10);
      if (body.empty() || *end != '\0' || errno != 0) {
        return BadRequest("strconv.Atoi: parsing \"" + body + "\": invalid syntax");
      }
      return std::optional<PathElement>(IndexElement(n));
    }
    case 'v': {
      auto v = ParseJson(body);
      if (!v.ok()) return v.status();
      return std::optional<PathElement>(ValueElement(*v));
    }
    case 'k': {
      auto v = ParseJson(body);
      if (!v.ok()) return v.status();
      if (!v->is_object()) return BadRequest("key path element must be a JSON object: " + key);
      return std::optional<PathElement>(KeyElement(*v));
    }
  }
  return std::optional<PathElement>();
}

// readIterV1: the children of one FieldsV1 object; *member when the node itself is a member.
StatusOr<Set::Node> ReadNode(const Json& obj, bool* member) {
  Set::Node node;
  *member = false;
  if (obj.is_null()) {
    *member = true;
    return node;
  }
  if (!obj.is_object()) return BadRequest("managedFields: expected a JSON object in fieldsV1");
  bool any_child = false;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (it.key() == ".") {
      *member = true;
      continue;
    }
    auto pe = CanonicalElement(it.key());
    if (!pe.ok()) return pe.status();
    if (!pe->has_value()) continue;
    bool child_member = false;
    auto child = ReadNode(it.value(), &child_member);
    if (!child.ok()) return child.status();
    Set::Node& slot = node.children[**pe];
    if (child_member) slot.member = true;
    for (auto& [k, v] : child->children) slot.children[k] = std::move(v);
    any_child = true;
  }
  if (!any_child) *member = true;
  return node;
}

Json EmitNode(const Set::Node& n, bool include_self) {
  Json out = Json::object();
  if (include_self && n.member && !n.children.empty()) out["."] = Json::object();
  for (const auto& [pe, child] : n.children) {
    if (child.children.empty()) {
      if (child.member) out[pe] = Json::object();
      continue;
    }
    Json sub = EmitNode(child, true);
    if (!sub.empty()) out[pe] = std::move(sub);
  }
  return out;
}

using Node = Set::Node;

void Prune(Node& n) {
  for (auto it = n.children.begin(); it != n.children.end();) {
    Prune(it->second);
    if (!it->second.member && it->second.children.empty()) {
      it = n.children.erase(it);
    } else {
      ++it;
    }
  }
}

Node UnionNode(const Node& a, const Node& b) {
  Node out = a;
  out.member = a.member || b.member;
  for (const auto& [pe, child] : b.children) {
    auto it = out.children.find(pe);
    if (it == out.children.end()) {
      out.children.emplace(pe, child);
    } else {
      it->second = UnionNode(it->second, child);
    }
  }
  return out;
}

Node IntersectNode(const Node& a, const Node& b) {
  Node out;
  out.member = a.member && b.member;
  for (const auto& [pe, child] : a.children) {
    auto it = b.children.find(pe);
    if (it == b.children.end()) continue;
    Node sub = IntersectNode(child, it->second);
    if (sub.member || !sub.children.empty()) out.children.emplace(pe, std::move(sub));
  }
  return out;
}

Node DifferenceNode(const Node& a, const Node& b) {
  Node out;
  out.member = a.member && !b.member;
  for (const auto& [pe, child] : a.children) {
    auto it = b.children.find(pe);
    if (it == b.children.end()) {
      out.children.emplace(pe, child);
      continue;
    }
    Node sub = DifferenceNode(child, it->second);
    if (sub.member || !sub.children.empty()) out.children.emplace(pe, std::move(sub));
  }
  return out;
}

Node RecursiveDifferenceNode(const Node& a, const Node& b) {
  Node out;
  out.member = a.member && !b.member;
  for (const auto& [pe, child] : a.children) {
    auto it = b.children.find(pe);
    if (it == b.children.end()) {
      out.children.emplace(pe, child);
      continue;
    }
    if (it->second.member) continue;
    Node sub = RecursiveDifferenceNode(child, it->second);
    if (sub.member || !sub.children.empty()) out.children.emplace(pe, std::move(sub));
  }
  return out;
}

bool NodeEquals(const Node& a, const Node& b) {
  if (a.member != b.member || a.children.size() != b.children.size()) return false;
  auto ia = a.children.begin();
  auto ib = b.children.begin();
  for (; ia != a.children.end(); ++ia, ++ib) {
    if (ia->first != ib->first || !NodeEquals(ia->second, ib->second)) return false;
  }
  return true;
}

bool IntersectsNode(const Node& a, const Node& b) {
  if (a.member && b.member) return true;
  for (const auto& [pe, child] : a.children) {
    auto it = b.children.find(pe);
    if (it != b.children.end() && IntersectsNode(child, it->second)) return true;
  }
  return false;
}

void IterateNode(const Node& n, Path& prefix, const std::function<void(const Path&)>& fn) {
  for (const auto& [pe, child] : n.children) {
    if (!child.member) continue;
    prefix.push_back(pe);
    fn(prefix);
    prefix.pop_back();
  }
  for (const auto& [pe, child] : n.children) {
    if (child.children.empty()) continue;
    prefix.push_back(pe);
    IterateNode(child, prefix, fn);
    prefix.pop_back();
  }
}

// ---- shapes: what the schema says about a value -------------------------------------------

enum class Kind { kLeaf, kStruct, kMap, kList, kDeduced };

struct Shape {
  Kind kind = Kind::kLeaf;
  const TypeSchema* type = nullptr;     // kStruct
  const FieldSchema* field = nullptr;   // kMap / kList: the container field
  const std::string* keys = nullptr;    // kList with keys: the key names
  size_t nkeys = 0;
};

// Struct types marked `+structType=atomic` upstream (x-kubernetes-map-type: atomic): owned
// and replaced whole.
bool AtomicStruct(const std::string& name) {
  static const std::set<std::string> kAtomic = {
      "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
      "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
      "io.k8s.api.core.v1.ObjectReference",
      "io.k8s.api.core.v1.LocalObjectReference",
      "io.k8s.api.core.v1.TypedLocalObjectReference",
      "io.k8s.api.core.v1.SecretReference",
      "io.k8s.api.core.v1.ConfigMapKeySelector",
      "io.k8s.api.core.v1.SecretKeySelector",
      "io.k8s.api.core.v1.ObjectFieldSelector",
      "io.k8s.api.core.v1.ResourceFieldSelector",
      "io.k8s.api.core.v1.NodeSelector",
      "io.k8s.api.core.v1.NodeSelectorTerm",
      "io.k8s.api.core.v1.TopologySelectorTerm",
  };
  return kAtomic.count(name) > 0;
}

Shape ElementShape(const SchemaRegistry& schemas, const FieldSchema& f) {
  Shape s;
  if (f.type != ValueType::kObject) return s;
  const TypeSchema* t = schemas.Find(f.ref);
  if (!t || t->Wrapped() || AtomicStruct(t->name)) return s;
  s.kind = Kind::kStruct;
  s.type = t;
  return s;
}

Shape FieldShape(const SchemaRegistry& schemas, const FieldSchema& f) {
  Shape s;
  switch (f.container) {
    case Container::kNone:
      return ElementShape(schemas, f);
    case Container::kMap:
      s.kind = Kind::kMap;
      s.field = &f;
      return s;
    case Container::kList: {
      const bool merge = f.patch_strategy.rfind("merge", 0) == 0;
      if (f.list_type == ListType::kMap && !f.list_map_keys.empty()) {
        s.keys = f.list_map_keys.data();
        s.nkeys = f.list_map_keys.size();
      } else if (f.list_type == ListType::kSet) {
        // a set: no keys
      } else if (f.list_type == ListType::kAtomic && merge) {
        if (!f.merge_key.empty()) {
          s.keys = &f.merge_key;
          s.nkeys = 1;
        }
      } else {
        return s;  // atomic: a leaf
      }
      s.kind = Kind::kList;
      s.field = &f;
      return s;
    }
  }
  return s;
}

Shape RootShape(const Typed& typed) {
  Shape s;
  if (typed.root) {
    s.kind = Kind::kStruct;
    s.type = typed.root;
  } else {
    s.kind = Kind::kDeduced;
  }
  return s;
}

// The shape of member `key` of an object of shape `s`; *named: a struct field.
Shape ChildShape(const SchemaRegistry& schemas, const Shape& s, const std::string& key,
                 bool* named) {
  *named = false;
  switch (s.kind) {
    case Kind::kStruct: {
      const FieldSchema* f = s.type->Field(key);
      if (!f || f->name.empty()) return Shape{};
      *named = true;
      return FieldShape(schemas, *f);
    }
    case Kind::kMap:
      return ElementShape(schemas, *s.field);
    case Kind::kDeduced: {
      Shape d;
      d.kind = Kind::kDeduced;
      return d;
    }
    default:
      return Shape{};
  }
}

bool IsObjectShape(const Shape& s) {
  return s.kind == Kind::kStruct || s.kind == Kind::kMap || s.kind == Kind::kDeduced;
}

// Whether `v` is handled granularly under shape `s` (else it is a leaf).
bool Granular(const Shape& s, const Json& v) {
  if (IsObjectShape(s)) return v.is_object();
  if (s.kind == Kind::kList) return v.is_array();
  return false;
}

bool EmptyValue(const Json* v) {
  return !v || v->is_null() || ((v->is_object() || v->is_array()) && v->empty());
}

const Json& NullJson() {
  static const Json kNull;
  return kNull;
}

// listItemToPathElement.
StatusOr<PathElement> ItemElement(const Shape& list, const Json& item) {
  if (list.nkeys > 0) {
    if (item.is_null()) return BadRequest("associative list with keys may not have a null element");
    if (!item.is_object()) {
      return BadRequest("associative list with keys may not have non-map elements");
    }
    Json keys = Json::object();
    for (size_t i = 0; i < list.nkeys; ++i) {
      auto it = item.find(list.keys[i]);
      if (it != item.end()) keys[list.keys[i]] = *it;
    }
    if (keys.empty()) {
      std::string names = "[";
      for (size_t i = 0; i < list.nkeys; ++i) {
        if (i) names += " ";
        names += GoQuote(list.keys[i]);
      }
      names += "]";
      return BadRequest("associative list with keys has an element that omits all key fields " +
                        names + " (and doesn't have default values for any key fields)");
    }
    return KeyElement(keys);
  }
  if (item.is_object()) {
    return BadRequest("associative list without keys has an element that's a map type");
  }
  if (item.is_array()) {
    return BadRequest("not supported: associative list with lists as elements");
  }
  if (item.is_null()) {
    return BadRequest("associative list without keys has an element that's an explicit null");
  }
  return ValueElement(item);
}

// Fills missing keys from the element type's schema defaults (ContainerPort.protocol "TCP").
StatusOr<PathElement> ItemElementWithDefaults(const SchemaRegistry& schemas, const Shape& list,
                                              const Json& item) {
  if (list.nkeys == 0 || !item.is_object() || !list.field) return ItemElement(list, item);
  const TypeSchema* elem = list.field->type == ValueType::kObject
                               ? schemas.Find(list.field->ref)
                               : nullptr;
  bool missing = false;
  for (size_t i = 0; i < list.nkeys; ++i) {
    if (!item.contains(list.keys[i])) missing = true;
  }
  if (!missing || !elem) return ItemElement(list, item);
  Json with = Json::object();
  for (size_t i = 0; i < list.nkeys; ++i) {
    const std::string& k = list.keys[i];
    auto it = item.find(k);
    if (it != item.end()) {
      with[k] = *it;
    } else if (const FieldSchema* f = elem->Field(k); f && f->default_value) {
      with[k] = *f->default_value;
    }
  }
  return ItemElement(list, with);
}

Shape ItemShape(const SchemaRegistry& schemas, const Shape& list) {
  return list.field ? ElementShape(schemas, *list.field) : Shape{};
}

// Prefixes an error with the path it was found at, as upstream's ValidationErrors do.
Status AtPath(const Path& path, const Status& st) {
  std::string where = PathString(path);
  return Status(st.code(), (where.empty() ? "" : where + ": ") + st.message());
}

// ---- ToFieldSet ---------------------------------------------------------------------------

struct FieldSetWalker {
  const SchemaRegistry& schemas;
  Set& out;
  Path path;

  void Walk(const Shape& s, const Json& v) {
    if (v.is_null()) {
      if (s.kind == Kind::kLeaf) out.Insert(path);
      return;
    }
    if (!Granular(s, v)) {
      out.Insert(path);
      return;
    }
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        bool named = false;
        Shape cs = ChildShape(schemas, s, it.key(), &named);
        path.push_back(FieldElement(it.key()));
        Walk(cs, it.value());
        const Json& cv = it.value();
        if (cv.is_null() || (cv.is_object() && cv.empty()) || !named) out.Insert(path);
        path.pop_back();
      }
      return;
    }
    // A granular list.
    Shape item_shape = ItemShape(schemas, s);
    std::vector<std::optional<PathElement>> pes;
    pes.reserve(v.size());
    std::set<PathElement> seen, dups;
    for (const Json& item : v) {
      auto pe = ItemElementWithDefaults(schemas, s, item);
      if (!pe.ok()) {
        pes.emplace_back();
        continue;
      }
      if (seen.count(*pe)) {
        if (dups.insert(*pe).second) {
          path.push_back(*pe);
          out.Insert(path);
          path.pop_back();
        }
      } else {
        seen.insert(*pe);
      }
      pes.emplace_back(std::move(*pe));
    }
    for (size_t i = 0; i < v.size(); ++i) {
      if (!pes[i] || dups.count(*pes[i])) continue;
      path.push_back(*pes[i]);
      Walk(item_shape, v[i]);
      out.Insert(path);
      path.pop_back();
    }
  }
};

// ---- Compare ------------------------------------------------------------------------------

struct CompareWalker {
  const SchemaRegistry& schemas;
  Comparison& cmp;
  Path path;
  Status error;

  // `skip`: the node of the skip set at this path (nullptr: nothing skipped below).
  void Walk(const Shape& s, const Json* l, const Json* r, const Node* skip) {
    if (!error.ok()) return;
    if (l && r && *l == *r) return;
    bool granular = (!l || l->is_null() || Granular(s, *l)) &&
                    (!r || r->is_null() || Granular(s, *r)) && s.kind != Kind::kLeaf;
    if (!granular || (EmptyValue(l) && EmptyValue(r))) {
      Leaf(l, r);
      return;
    }
    const bool lobj = l && l->is_object();
    const bool robj = r && r->is_object();
    if (IsObjectShape(s)) {
      Json::const_iterator li, le, ri, re;
      static const Json kEmpty = Json::object();
      const Json& lo = lobj ? *l : kEmpty;
      const Json& ro = robj ? *r : kEmpty;
      li = lo.begin(), le = lo.end(), ri = ro.begin(), re = ro.end();
      while (li != le || ri != re) {
        const Json* lv = nullptr;
        const Json* rv = nullptr;
        std::string key;
        if (ri == re || (li != le && li.key() < ri.key())) {
          key = li.key();
          lv = &li.value();
          ++li;
        } else if (li == le || ri.key() < li.key()) {
          key = ri.key();
          rv = &ri.value();
          ++ri;
        } else {
          key = li.key();
          lv = &li.value();
          rv = &ri.value();
          ++li;
          ++ri;
        }
        PathElement pe = FieldElement(key);
        const Node* child_skip = nullptr;
        if (skip) {
          auto it = skip->children.find(pe);
          if (it != skip->children.end()) {
            if (it->second.member) continue;
            child_skip = &it->second;
          }
        }
        bool named = false;
        Shape cs = ChildShape(schemas, s, key, &named);
        path.push_back(std::move(pe));
        Walk(cs, lv, rv, child_skip);
        path.pop_back();
      }
    } else {
      ListItems(s, l && l->is_array() ? l : nullptr, r && r->is_array() ? r : nullptr, skip);
    }
    if (!l) {
      cmp.added.Insert(path);
    } else if (!r) {
      cmp.removed.Insert(path);
    }
  }

  void Leaf(const Json* l, const Json* r) {
    if (!l) {
      cmp.added.Insert(path);
    } else if (!r) {
      cmp.removed.Insert(path);
    } else if (*l != *r) {
      cmp.modified.Insert(path);
    }
  }

  void ListItems(const Shape& s, const Json* l, const Json* r, const Node* skip) {
    Shape item_shape = ItemShape(schemas, s);
    std::vector<PathElement> all;
    std::unordered_map<PathElement, std::vector<const Json*>> lv, rv;
    auto index = [&](const Json* list, std::unordered_map<PathElement, std::vector<const Json*>>& m,
                     bool is_rhs) -> bool {
      if (!list) return true;
      for (size_t i = 0; i < list->size(); ++i) {
        auto pe = ItemElementWithDefaults(schemas, s, (*list)[i]);
        if (!pe.ok()) {
          path.push_back(IndexElement(int64_t(i)));
          error = AtPath(path, Status(pe.status().code(),
                                      "element " + std::to_string(i) + ": " + pe.status().message()));
          path.pop_back();
          return false;
        }
        auto& slot = m[*pe];
        if (slot.empty() && (!is_rhs || !lv.count(*pe))) all.push_back(*pe);
        slot.push_back(&(*list)[i]);
      }
      return true;
    };
    if (!index(l, lv, false) || !index(r, rv, true)) return;
    for (const PathElement& pe : all) {
      const Node* child_skip = nullptr;
      if (skip) {
        auto it = skip->children.find(pe);
        if (it != skip->children.end()) {
          if (it->second.member) continue;
          child_skip = &it->second;
        }
      }
      auto li = lv.find(pe);
      auto ri = rv.find(pe);
      size_t ln = li == lv.end() ? 0 : li->second.size();
      size_t rn = ri == rv.end() ? 0 : ri->second.size();
      path.push_back(pe);
      if (ln <= 1 && rn <= 1) {
        Walk(item_shape, ln ? li->second[0] : nullptr, rn ? ri->second[0] : nullptr, child_skip);
      } else if (ln >= 2 && rn >= 2) {
        bool same = ln == rn;
        for (size_t i = 0; same && i < ln; ++i) same = *li->second[i] == *ri->second[i];
        if (!same) cmp.modified.Insert(path);
      } else if (ln >= 2) {
        if (rn) Walk(item_shape, nullptr, ri->second[0], child_skip);
        cmp.removed.Insert(path);
      } else {
        if (ln) Walk(item_shape, li->second[0], nullptr, child_skip);
        cmp.added.Insert(path);
      }
      path.pop_back();
    }
  }
};

// ---- validation of applied configurations -------------------------------------------------

struct ValidateWalker {
  const SchemaRegistry& schemas;
  Path path;

  Status Walk(const Shape& s, const Json& v) {
    if (v.is_null() || !Granular(s, v)) return Status::Ok();
    if (v.is_object()) {
      for (auto it = v.begin(); it != v.end(); ++it) {
        bool named = false;
        Shape cs = ChildShape(schemas, s, it.key(), &named);
        path.push_back(FieldElement(it.key()));
        Status st = Walk(cs, it.value());
        path.pop_back();
        if (!st.ok()) return st;
      }
      return Status::Ok();
    }
    Shape item_shape = ItemShape(schemas, s);
    std::set<PathElement> seen;
    for (size_t i = 0; i < v.size(); ++i) {
      auto pe = ItemElementWithDefaults(schemas, s, v[i]);
      if (!pe.ok()) {
        return AtPath(path, Status(pe.status().code(), "element " + std::to_string(i) + ": " +
                                                           pe.status().message()));
      }
      if (!seen.insert(*pe).second) {
        return AtPath(path, BadRequest("duplicate entries for key " + ElementString(*pe)));
      }
      path.push_back(*pe);
      Status st = Walk(item_shape, v[i]);
      path.pop_back();
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }
};

// ---- Merge --------------------------------------------------------------------------------

// A configuration's value as it lands in the object: null members mean absent (a typed object
// has no nulls).
Json WithoutNulls(const Json& v) {
  if (v.is_object()) {
    Json out = Json::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!it.value().is_null()) out[it.key()] = WithoutNulls(it.value());
    }
    return out;
  }
  if (v.is_array()) {
    Json out = Json::array();
    for (const Json& e : v) out.push_back(WithoutNulls(e));
    return out;
  }
  return v;
}

struct MergeWalker {
  const SchemaRegistry& schemas;
  Path path;
  Status error;

  // nullopt: the value is absent from the result.
  std::optional<Json> Walk(const Shape& s, const Json* l, const Json* r) {
    if (!r) return l ? std::optional<Json>(*l) : std::nullopt;
    // Untyped leaves (kAny, RawExtension) keep their JSON as sent.
    if (!l) return s.kind == Kind::kLeaf ? *r : WithoutNulls(*r);
    if (!error.ok()) return *r;
    if (s.kind == Kind::kLeaf || !Granular(s, *l) || !Granular(s, *r) ||
        (EmptyValue(l) && EmptyValue(r))) {
      return s.kind == Kind::kLeaf ? *r : WithoutNulls(*r);
    }
    if (l->is_object()) {
      Json out = Json::object();
      auto li = l->begin(), le = l->end();
      auto ri = r->begin(), re = r->end();
      while (li != le || ri != re) {
        const Json* lv = nullptr;
        const Json* rv = nullptr;
        std::string key;
        if (ri == re || (li != le && li.key() < ri.key())) {
          key = li.key();
          lv = &li.value();
          ++li;
        } else if (li == le || ri.key() < li.key()) {
          key = ri.key();
          rv = &ri.value();
          ++ri;
        } else {
          key = li.key();
          lv = &li.value();
          rv = &ri.value();
          ++li;
          ++ri;
        }
        bool named = false;
        Shape cs = ChildShape(schemas, s, key, &named);
        path.push_back(FieldElement(key));
        std::optional<Json> v = Walk(cs, lv, rv);
        path.pop_back();
        if (v && !v->is_null()) out[key] = std::move(*v);
      }
      return out;
    }
    return ListItems(s, *l, *r);
  }

  // visitListItems: live items keep their places, shared items follow the configuration's
  // order, new items come where the configuration puts them.
  std::optional<Json> ListItems(const Shape& s, const Json& lhs, const Json& rhs) {
    Shape item_shape = ItemShape(schemas, s);
    std::vector<PathElement> rpes, lpes;
    std::unordered_map<PathElement, const Json*> observed_r, observed_l;
    for (size_t i = 0; i < rhs.size(); ++i) {
      auto pe = ItemElementWithDefaults(schemas, s, rhs[i]);
      if (!pe.ok()) {
        error = AtPath(path, Status(pe.status().code(), "element " + std::to_string(i) + ": " +
                                                            pe.status().message()));
        return rhs;
      }
      if (observed_r.count(*pe)) {
        error = AtPath(path, BadRequest("duplicate entries for key " + ElementString(*pe)));
        return rhs;
      }
      observed_r[*pe] = &rhs[i];
      rpes.push_back(*pe);
    }
    std::vector<size_t> lindex;
    for (size_t i = 0; i < lhs.size(); ++i) {
      auto pe = ItemElementWithDefaults(schemas, s, lhs[i]);
      if (!pe.ok()) {
        error = AtPath(path, Status(pe.status().code(), "element " + std::to_string(i) + ": " +
                                                            pe.status().message()));
        return rhs;
      }
      auto it = observed_l.find(*pe);
      if (it == observed_l.end()) {
        observed_l[*pe] = &lhs[i];
      } else {
        it->second = &NullJson();  // duplicated items are not merged with the new value
      }
      lpes.push_back(*pe);
      lindex.push_back(i);
    }
    std::vector<const PathElement*> shared;
    for (const PathElement& pe : rpes) {
      if (observed_l.count(pe)) shared.push_back(&pe);
    }
    size_t next_shared_i = 0;
    const PathElement* next_shared = nullptr;
    auto advance = [&] {
      next_shared = next_shared_i < shared.size() ? shared[next_shared_i++] : nullptr;
    };
    advance();
    std::set<PathElement> merged_r;
    Json out = Json::array();
    auto merge_item = [&](const PathElement& pe, const Json* lc, const Json* rc) {
      path.push_back(pe);
      std::optional<Json> v = Walk(item_shape, lc, rc);
      path.pop_back();
      if (v) out.push_back(std::move(*v));
    };
    const size_t ln = lpes.size(), rn = rpes.size();
    for (size_t li = 0, ri = 0; li < ln || ri < rn;) {
      if (li < ln && ri < rn) {
        const PathElement& pe = lpes[li];
        if (pe == rpes[ri]) {
          merged_r.insert(pe);
          merge_item(pe, observed_l[pe], observed_r[pe]);
          ++li;
          ++ri;
          advance();
          continue;
        }
        if (observed_r.count(pe) && next_shared && *next_shared != pe) {
          ++li;
          continue;
        }
      }
      if (li < ln) {
        const PathElement& pe = lpes[li];
        if (!observed_r.count(pe)) {
          merge_item(pe, &lhs[lindex[li]], nullptr);
          ++li;
          continue;
        } else if (merged_r.count(pe)) {
          ++li;
        }
      }
      if (ri < rn) {
        const PathElement& pe = rpes[ri];
        merged_r.insert(pe);
        auto lit = observed_l.find(pe);
        merge_item(pe, lit == observed_l.end() ? nullptr : lit->second, observed_r[pe]);
        ++ri;
        if (next_shared && *next_shared == pe) advance();
      }
    }
    if (out.empty()) return std::nullopt;
    return out;
  }
};

// ---- RemoveItems --------------------------------------------------------------------------

struct RemoveWalker {
  const SchemaRegistry& schemas;

  // nullopt: nothing left.
  std::optional<Json> Walk(const Shape& s, const Json& v, const Node& remove) {
    if (s.kind == Kind::kLeaf || !Granular(s, v)) return v;
    if (v.empty()) return std::nullopt;
    if (v.is_object()) {
      Json out = Json::object();
      for (auto it = v.begin(); it != v.end(); ++it) {
        auto r = remove.children.find(FieldElement(it.key()));
        if (r == remove.children.end()) {
          out[it.key()] = it.value();
          continue;
        }
        if (r->second.member) continue;
        bool named = false;
        Shape cs = ChildShape(schemas, s, it.key(), &named);
        std::optional<Json> sub = r->second.children.empty()
                                      ? std::optional<Json>(it.value())
                                      : Walk(cs, it.value(), r->second);
        if (sub) out[it.key()] = std::move(*sub);
      }
      if (out.empty()) return std::nullopt;
      return out;
    }
    Shape item_shape = ItemShape(schemas, s);
    Json out = Json::array();
    for (const Json& item : v) {
      auto pe = ItemElementWithDefaults(schemas, s, item);
      if (!pe.ok()) {
        out.push_back(item);
        continue;
      }
      auto r = remove.children.find(*pe);
      if (r == remove.children.end()) {
        out.push_back(item);
        continue;
      }
      if (r->second.member) continue;
      std::optional<Json> sub = r->second.children.empty() ? std::optional<Json>(item)
                                                           : Walk(item_shape, item, r->second);
      out.push_back(sub ? std::move(*sub) : Json());
    }
    if (out.empty()) return std::nullopt;
    return out;
  }
};

Node EnsureNamed(const SchemaRegistry& schemas, const Shape& s, const Node& n) {
  Node out;
  out.member = n.member;
  for (const auto& [pe, child] : n.children) {
    Shape cs;
    bool named = false;
    if (pe.size() > 2 && pe[0] == 'f' && IsObjectShape(s)) {
      cs = ChildShape(schemas, s, pe.substr(2), &named);
    } else if (pe.size() > 2 && pe[0] == 'k' && s.kind == Kind::kList) {
      cs = ItemShape(schemas, s);
    }
    Node sub = EnsureNamed(schemas, cs, child);
    if (named && s.kind == Kind::kStruct && !child.children.empty()) sub.member = true;
    out.children.emplace(pe, std::move(sub));
  }
  return out;
}

}  // namespace

// ---- public -------------------------------------------------------------------------------

bool ElementLess::operator()(const PathElement& a, const PathElement& b) const {
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return ra < rb;
  if (ra == 3 && a.size() > 2 && b.size() > 2) {
    long long x = std::strtoll(a.c_str() + 2, nullptr, 10);
    long long y = std::strtoll(b.c_str() + 2, nullptr, 10);
    if (x != y) return x < y;
  }
  return a < b;
}

PathElement FieldElement(std::string_view name) {
  PathElement pe;
  pe.reserve(name.size() + 2);
  pe += "f:";
  pe += name;
  return pe;
}

PathElement IndexElement(int64_t index) { return "i:" + std::to_string(index); }

PathElement ValueElement(const Json& value) {
  std::string out = "v:";
  AppendGoJson(out, value);
  return out;
}

PathElement KeyElement(const Json& keys) {
  std::string out = "k:";
  AppendGoJson(out, keys);
  return out;
}

std::string GoJson(const Json& value) {
  std::string out;
  AppendGoJson(out, value);
  return out;
}

std::string PathString(const Path& path) {
  std::string out;
  for (const PathElement& pe : path) out += ElementString(pe);
  return out;
}

bool Set::Node::Empty() const {
  if (member) return false;
  for (const auto& [pe, child] : children) {
    if (!child.Empty()) return false;
  }
  return true;
}

StatusOr<Set> Set::FromFieldsV1(const Json& fields) {
  if (!fields.is_object() && !fields.is_null()) {
    return BadRequest("managedFields: fieldsV1 must be a JSON object");
  }
  bool member = false;
  auto root = ReadNode(fields, &member);
  if (!root.ok()) return root.status();
  Prune(*root);
  return Set(std::move(*root));
}

Json Set::ToFieldsV1() const { return EmitNode(root_, false); }

void Set::Insert(const Path& path) {
  if (path.empty()) return;
  Node* n = &root_;
  for (const PathElement& pe : path) n = &n->children[pe];
  n->member = true;
}

bool Set::Has(const Path& path) const {
  if (path.empty()) return false;
  const Node* n = &root_;
  for (const PathElement& pe : path) {
    auto it = n->children.find(pe);
    if (it == n->children.end()) return false;
    n = &it->second;
  }
  return n->member;
}

size_t Set::Size() const {
  size_t n = 0;
  Iterate([&](const Path&) { ++n; });
  return n;
}

Set Set::Union(const Set& other) const { return Set(UnionNode(root_, other.root_)); }
Set Set::Intersection(const Set& other) const { return Set(IntersectNode(root_, other.root_)); }
Set Set::Difference(const Set& other) const { return Set(DifferenceNode(root_, other.root_)); }
Set Set::RecursiveDifference(const Set& other) const {
  return Set(RecursiveDifferenceNode(root_, other.root_));
}
bool Set::operator==(const Set& other) const { return NodeEquals(root_, other.root_); }
bool Set::Intersects(const Set& other) const { return IntersectsNode(root_, other.root_); }

void Set::Iterate(const std::function<void(const Path&)>& fn) const {
  Path prefix;
  IterateNode(root_, prefix, fn);
}

std::vector<Path> Set::Paths() const {
  std::vector<Path> out;
  Iterate([&](const Path& p) { out.push_back(p); });
  return out;
}

Set ToFieldSet(const Typed& typed, const Json& obj) {
  Set out;
  FieldSetWalker w{typed.schemas, out, {}};
  w.Walk(RootShape(typed), obj);
  return out;
}

StatusOr<Comparison> Compare(const Typed& typed, const Json* lhs, const Json& rhs,
                             const Set* skip) {
  Comparison cmp;
  CompareWalker w{typed.schemas, cmp, {}, Status::Ok()};
  w.Walk(RootShape(typed), lhs, &rhs, skip ? &skip->root() : nullptr);
  if (!w.error.ok()) return w.error;
  return cmp;
}

Status ValidateApplied(const Typed& typed, const Json& config) {
  ValidateWalker w{typed.schemas, {}};
  return w.Walk(RootShape(typed), config);
}

StatusOr<Json> Merge(const Typed& typed, const Json& live, const Json& config) {
  MergeWalker w{typed.schemas, {}, Status::Ok()};
  std::optional<Json> out = w.Walk(RootShape(typed), &live, &config);
  if (!w.error.ok()) return w.error;
  return out ? std::move(*out) : Json::object();
}

Json RemoveItems(const Typed& typed, const Json& obj, const Set& items) {
  RemoveWalker w{typed.schemas};
  std::optional<Json> out = w.Walk(RootShape(typed), obj, items.root());
  return out ? std::move(*out) : Json::object();
}

Set EnsureNamedFieldsAreMembers(const Typed& typed, const Set& set) {
  return Set(EnsureNamed(typed.schemas, RootShape(typed), set.root()));
}

}  // namespace minik::fieldpath
