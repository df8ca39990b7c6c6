// The typed walks of structured-merge-diff over minik's schemas (typed/tofieldset.go,
// compare.go, merge.go, remove.go, helpers.go; fieldpath EnsureNamedFieldsAreMembers). See
// api/fieldpath.h for the contract; the set itself lives in api/fieldpath.cc.
#include "api/fieldpath.h"

#include <set>
#include <unordered_map>

namespace minik::fieldpath {
namespace {

using Node = Set::Node;

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
        names += GoJson(Json(list.keys[i]));
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
        return AtPath(path, BadRequest("duplicate entries for key " + PathString({*pe})));
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
        error = AtPath(path, BadRequest("duplicate entries for key " + PathString({*pe})));
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
