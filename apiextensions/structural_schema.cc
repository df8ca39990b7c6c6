// StructuralSchema: parsing, defaulting (apiextensions defaulting/algorithm.go and
// prunenulls.go) and pruning (pruning/algorithm.go). Validation is in schema_validate.cc.
#include "apiextensions/structural_schema.h"

#include <algorithm>
#include <set>

#include "apiextensions/schema_node.h"

namespace minik {
namespace ai = apiextensions_internal;

StructuralSchema::~StructuralSchema() = default;

namespace {
bool HasRules(const ai::Node& n) {
  if (!n.rules.empty()) return true;
  for (const auto& [k, p] : n.properties) {
    if (HasRules(*p)) return true;
  }
  return (n.items && HasRules(*n.items)) || (n.additional && HasRules(*n.additional));
}
}  // namespace

std::vector<StatusCause> StructuralSchema::Check(const Json& schema, const std::string& prefix) {
  std::vector<StatusCause> causes;
  ai::ParseSchema(schema, prefix, causes);
  return causes;
}

StatusOr<std::shared_ptr<const StructuralSchema>> StructuralSchema::Parse(const Json& schema) {
  std::vector<StatusCause> causes;
  auto root = ai::ParseSchema(schema, "spec.validation.openAPIV3Schema", causes);
  if (!root) {
    Status st(Code::kInvalid, "invalid openAPIV3Schema");
    st.mutable_details().causes = std::move(causes);
    std::string msg = "openAPIV3Schema is invalid: ";
    for (size_t i = 0; i < st.details()->causes.size(); ++i) {
      const auto& c = st.details()->causes[i];
      msg += (i ? ", " : "") + c.field + ": " + c.message;
    }
    return Status(Code::kInvalid, msg, *st.details());
  }
  std::shared_ptr<StructuralSchema> out(new StructuralSchema());
  out->raw_ = schema;
  out->has_rules_ = HasRules(*root);
  out->root_ = std::move(root);
  return std::shared_ptr<const StructuralSchema>(std::move(out));
}

const Json& StructuralSchema::OpenApi() const { return raw_; }

namespace {

bool IsNonNullableNull(const Json& v, const ai::Node* s) {
  return v.is_null() && s && !s->nullable;
}

void PruneNulls(Json& x, const ai::Node* s, int depth) {
  if (!s || depth > ai::kMaxSchemaDepth + 1) return;
  if (x.is_object()) {
    for (auto it = x.begin(); it != x.end();) {
      const ai::Node* f = ai::FieldSchema(s, it.key());
      if (IsNonNullableNull(*it, f) && !f->default_value) {
        it = x.erase(it);
      } else {
        PruneNulls(*it, f, depth + 1);
        ++it;
      }
    }
  } else if (x.is_array()) {
    for (Json& v : x) PruneNulls(v, s->items.get(), depth + 1);
  }
}

void ApplyDefaults(Json& x, const ai::Node* s, int depth) {
  if (!s || depth > ai::kMaxSchemaDepth + 1) return;
  if (x.is_object()) {
    for (const auto& [k, prop] : s->properties) {
      if (!prop->default_value) continue;
      auto it = x.find(k);
      if (it == x.end() || IsNonNullableNull(*it, prop.get())) x[k] = *prop->default_value;
    }
    for (auto it = x.begin(); it != x.end(); ++it) {
      auto p = s->properties.find(it.key());
      if (p != s->properties.end()) {
        ApplyDefaults(*it, p->second.get(), depth + 1);
      } else if (s->additional) {
        if (IsNonNullableNull(*it, s->additional.get()) && s->additional->default_value) {
          *it = *s->additional->default_value;
        }
        ApplyDefaults(*it, s->additional.get(), depth + 1);
      }
    }
  } else if (x.is_array()) {
    const ai::Node* items = s->items.get();
    for (Json& v : x) {
      if (IsNonNullableNull(v, items) && items->default_value) v = *items->default_value;
      ApplyDefaults(v, items, depth + 1);
    }
  }
}

// ObjectMeta's JSON fields; others are dropped from metadata (objectmeta/coerce.go).
bool IsObjectMetaField(const std::string& k) {
  static const std::set<std::string> kFields = {
      "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
      "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
      "annotations", "ownerReferences", "finalizers", "managedFields"};
  return kFields.count(k) > 0;
}

struct Pruner {
  std::vector<std::string> paths;
  std::string parent;  // "spec.a[0]" style

  std::string Key(const std::string& k) const { return parent.empty() ? k : parent + "." + k; }

  void PruneMeta(Json& x) {
    auto it = x.find("metadata");
    if (it == x.end() || !it->is_object()) return;
    for (auto m = it->begin(); m != it->end();) {
      if (IsObjectMetaField(m.key())) {
        ++m;
      } else {
        paths.push_back(Key("metadata") + "." + m.key());
        m = it->erase(m);
      }
    }
  }

  void Prune(Json& x, const ai::Node* s, bool root, int depth) {
    if (depth > ai::kMaxDataDepth) return;
    bool embedded = root || (s && s->embedded);
    if (s && s->preserve_unknown) return SkipPrune(x, s, embedded, depth);
    if (x.is_object()) {
      if (embedded) PruneMeta(x);
      std::string saved = parent;
      for (auto it = x.begin(); it != x.end();) {
        const std::string& k = it.key();
        bool meta = k == "apiVersion" || k == "kind" || k == "metadata";
        if (embedded && meta) { ++it; continue; }
        const ai::Node* f = s ? ai::FieldSchema(s, k) : nullptr;
        if (f) {
          parent = Key(k);
          Prune(*it, f, false, depth + 1);
          parent = saved;
          ++it;
        } else {
          paths.push_back(Key(k));
          it = x.erase(it);
        }
      }
    } else if (x.is_array()) {
      std::string saved = parent;
      for (size_t i = 0; i < x.size(); ++i) {
        parent = saved + "[" + std::to_string(i) + "]";
        Prune(x[i], s ? s->items.get() : nullptr, false, depth + 1);
      }
      parent = saved;
    }
  }

  // Under x-kubernetes-preserve-unknown-fields: unknown fields stay, known ones are pruned
  // by their schemas.
  void SkipPrune(Json& x, const ai::Node* s, bool embedded, int depth) {
    if (depth > ai::kMaxDataDepth) return;
    std::string saved = parent;
    if (x.is_object()) {
      if (embedded) PruneMeta(x);
      for (auto it = x.begin(); it != x.end(); ++it) {
        const std::string& k = it.key();
        if (embedded && (k == "apiVersion" || k == "kind" || k == "metadata")) continue;
        if (const ai::Node* f = ai::FieldSchema(s, k)) {
          parent = Key(k);
          Prune(*it, f, false, depth + 1);
          parent = saved;
        }
      }
    } else if (x.is_array() && s->items) {
      for (size_t i = 0; i < x.size(); ++i) {
        parent = saved + "[" + std::to_string(i) + "]";
        SkipPrune(x[i], s->items.get(), s->items->embedded, depth + 1);
      }
      parent = saved;
    }
  }
};

}  // namespace

void StructuralSchema::Default(Json& obj) const {
  PruneNulls(obj, root_.get(), 0);
  ApplyDefaults(obj, root_.get(), 0);
}

std::vector<std::string> ai::PruneValue(Json& v, const ai::Node* node, bool resource_root) {
  Pruner p;
  p.Prune(v, node, resource_root, 0);
  std::sort(p.paths.begin(), p.paths.end());
  return p.paths;
}

std::vector<std::string> StructuralSchema::Prune(Json& obj) const {
  return ai::PruneValue(obj, root_.get(), true);
}

}  // namespace minik
