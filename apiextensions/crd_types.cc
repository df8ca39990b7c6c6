// openAPIV3Schema -> TypeSchema, version ordering and the simple JSONPath of printer columns.
#include <algorithm>
#include <cctype>

#include "apiextensions/crd_internal.h"
#include "apiextensions/crd_serving.h"

namespace minik {
namespace {

constexpr int kMaxDepth = 64;  // deeper schemas are typed as free-form JSON below that depth
constexpr const char* kObjectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

bool Flag(const Json& node, const char* key) {
  auto it = node.find(key);
  return it != node.end() && it->is_boolean() && it->get<bool>();
}

std::string TypeOf(const Json& node) {
  auto it = node.find("type");
  return it != node.end() && it->is_string() ? it->get<std::string>() : "";
}

FieldSchema Field(const std::string& name, ValueType type, const std::string& ref = "") {
  FieldSchema f;
  f.name = name;
  f.type = type;
  f.ref = ref;
  return f;
}

FieldSchema AnyValue() { return Field("", ValueType::kAny); }

std::string Capitalized(const std::string& s) {
  std::string out;
  bool up = true;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) { up = true; continue; }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    up = false;
  }
  return out.empty() ? "Field" : out;
}

class Converter {
 public:
  explicit Converter(std::vector<TypeSchema>& out) : out_(out) {}

  // A named object type for `node`; returns its name.
  std::string ObjectType(const Json& node, const std::string& name, bool embedded, int depth) {
    TypeSchema t;
    t.name = name;
    t.description = node.value("description", "");
    t.preserve_unknown_fields = Flag(node, "x-kubernetes-preserve-unknown-fields");
    std::vector<std::string> required;
    if (auto r = node.find("required"); r != node.end() && r->is_array()) {
      for (const Json& x : *r) if (x.is_string()) required.push_back(x);
    }
    if (embedded) AddObjectHeader(t);
    if (auto props = node.find("properties"); props != node.end() && props->is_object()) {
      for (auto it = props->begin(); it != props->end(); ++it) {
        if (!it.value().is_object() || t.Field(it.key())) continue;
        FieldSchema f = FieldFor(it.value(), name + "." + Capitalized(it.key()), depth + 1);
        f.name = it.key();
        f.required = std::find(required.begin(), required.end(), it.key()) != required.end();
        t.fields.push_back(std::move(f));
      }
    }
    out_.push_back(std::move(t));
    return name;
  }

  static void AddObjectHeader(TypeSchema& t) {
    t.fields.insert(t.fields.begin(), {Field("apiVersion", ValueType::kString),
                                       Field("kind", ValueType::kString),
                                       Field("metadata", ValueType::kObject, kObjectMeta)});
  }

 private:
  // The field type for a property (or an array item / map value) schema.
  FieldSchema FieldFor(const Json& node, const std::string& type_name, int depth) {
    FieldSchema f;
    f.description = node.value("description", "");
    if (auto d = node.find("default"); d != node.end()) f.default_value = *d;
    if (auto e = node.find("enum"); e != node.end() && e->is_array()) {
      for (const Json& v : *e) if (v.is_string()) f.enum_values.push_back(v);
      std::sort(f.enum_values.begin(), f.enum_values.end());
    }
    std::string type = TypeOf(node);
    if (depth > kMaxDepth || Flag(node, "x-kubernetes-int-or-string")) {
      f.type = depth > kMaxDepth ? ValueType::kAny : ValueType::kIntOrString;
      return f;
    }
    if (type == "array") {
      auto items = node.find("items");
      FieldSchema elem = items != node.end() && items->is_object()
                             ? FieldFor(*items, type_name, depth + 1)
                             : AnyValue();
      if (elem.container != Container::kNone) elem = AnyValue();
      f.type = elem.type;
      f.ref = elem.ref;
      f.container = Container::kList;
      std::string list_type = node.value("x-kubernetes-list-type", "atomic");
      f.list_type = list_type == "set" ? ListType::kSet
                    : list_type == "map" ? ListType::kMap
                                         : ListType::kAtomic;
      if (auto keys = node.find("x-kubernetes-list-map-keys"); keys != node.end() && keys->is_array()) {
        for (const Json& k : *keys) if (k.is_string()) f.list_map_keys.push_back(k);
      }
      return f;
    }
    if (type == "object" || (type.empty() && node.contains("properties"))) {
      bool embedded = Flag(node, "x-kubernetes-embedded-resource");
      auto props = node.find("properties");
      bool has_props = props != node.end() && props->is_object() && !props->empty();
      auto additional = node.find("additionalProperties");
      if (!has_props && additional != node.end() && additional->is_object()) {
        FieldSchema elem = FieldFor(*additional, type_name, depth + 1);
        if (elem.container != Container::kNone) elem = AnyValue();
        f.type = elem.type;
        f.ref = elem.ref;
        f.container = Container::kMap;
        return f;
      }
      if (!has_props && !embedded) {
        f.type = ValueType::kAny;  // free-form (preserve-unknown-fields) or an empty object
        return f;
      }
      f.type = ValueType::kObject;
      f.ref = ObjectType(node, type_name, embedded, depth);
      return f;
    }
    if (type == "integer") {
      f.type = node.value("format", "") == "int32" ? ValueType::kInt32 : ValueType::kInt64;
    } else if (type == "number") {
      f.type = ValueType::kDouble;
    } else if (type == "boolean") {
      f.type = ValueType::kBool;
    } else if (type == "string") {
      f.type = ValueType::kString;
    } else {
      f.type = ValueType::kAny;
    }
    return f;
  }

  std::vector<TypeSchema>& out_;
};

// "v1" -> {GA, 1, 0}; "v2beta3" -> {beta, 2, 3}; anything else -> not Kubernetes-like.
struct KubeVersion {
  bool ok = false;
  int major = 0, stability = 0, minor = 0;  // stability: 3 GA, 2 beta, 1 alpha
};

KubeVersion ParseKubeVersion(const std::string& v) {
  KubeVersion k;
  if (v.size() < 2 || v[0] != 'v' || !std::isdigit(static_cast<unsigned char>(v[1]))) return k;
  size_t i = 1;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
  if (v[1] == '0' || i - 1 > 9) return k;
  k.major = std::stoi(v.substr(1, i - 1));
  if (i == v.size()) {
    k.ok = true;
    k.stability = 3;
    return k;
  }
  std::string rest = v.substr(i);
  for (auto [word, level] : {std::pair{"alpha", 1}, std::pair{"beta", 2}}) {
    std::string w = word;
    if (rest.rfind(w, 0) != 0) continue;
    std::string num = rest.substr(w.size());
    if (num.empty() || num.size() > 9 || num[0] == '0' ||
        !std::all_of(num.begin(), num.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return k;
    }
    k.ok = true;
    k.stability = level;
    k.minor = std::stoi(num);
  }
  return k;
}

// One step of a simple JSONPath: a field, an index, a wildcard or a filter [?(@.k=="v")].
const Json* Step(const Json* cur, const std::string& path, size_t& i) {
  if (path[i] == '.') ++i;
  if (i >= path.size()) return cur;
  if (path[i] == '[') {
    size_t end = path.find(']', i);
    if (end == std::string::npos) return nullptr;
    std::string inner = path.substr(i + 1, end - i - 1);
    i = end + 1;
    if (inner.size() >= 2 && (inner[0] == '\'' || inner[0] == '"')) {
      std::string key = inner.substr(1, inner.size() - 2);
      if (!cur->is_object() || !cur->contains(key)) return nullptr;
      return &(*cur)[key];
    }
    if (!cur->is_array()) return nullptr;
    if (inner == "*") return cur->empty() ? nullptr : &(*cur)[0];
    if (inner.rfind("?(@.", 0) == 0 && inner.back() == ')') {
      std::string cond = inner.substr(4, inner.size() - 5);
      size_t eq = cond.find("==");
      if (eq == std::string::npos) return nullptr;
      std::string key = cond.substr(0, eq);
      std::string want = cond.substr(eq + 2);
      if (want.size() >= 2 && (want[0] == '"' || want[0] == '\'')) want = want.substr(1, want.size() - 2);
      for (const Json& e : *cur) {
        if (!e.is_object()) continue;
        auto it = e.find(key);
        if (it == e.end()) continue;
        std::string have = it->is_string() ? it->get<std::string>() : it->dump();
        if (have == want) return &e;
      }
      return nullptr;
    }
    char* endp = nullptr;
    long n = std::strtol(inner.c_str(), &endp, 10);
    if (endp == inner.c_str() || *endp != '\0') return nullptr;
    if (n < 0) n += static_cast<long>(cur->size());
    if (n < 0 || static_cast<size_t>(n) >= cur->size()) return nullptr;
    return &(*cur)[static_cast<size_t>(n)];
  }
  size_t end = i;
  while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
  std::string key = path.substr(i, end - i);
  i = end;
  if (!cur->is_object()) return nullptr;
  auto it = cur->find(key);
  return it == cur->end() ? nullptr : &*it;
}

}  // namespace

std::string LowerAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string CustomResourceTypeName(const std::string& group, const std::string& version,
                                   const std::string& kind) {
  std::vector<std::string> labels;
  size_t start = 0;
  while (start <= group.size()) {
    size_t dot = group.find('.', start);
    if (dot == std::string::npos) dot = group.size();
    labels.push_back(group.substr(start, dot - start));
    start = dot + 1;
  }
  std::string name;
  for (auto it = labels.rbegin(); it != labels.rend(); ++it) name += *it + ".";
  return name + version + "." + kind;
}

void AppendCustomResourceTypes(const Json& open_api_v3, const std::string& group,
                               const std::string& version, const std::string& kind,
                               std::vector<TypeSchema>& out) {
  Converter converter(out);
  std::string root = CustomResourceTypeName(group, version, kind);
  converter.ObjectType(open_api_v3, root, /*embedded=*/true, 0);
  // ObjectType appends nested types before the root: the root is the last one added.
  for (auto it = out.rbegin(); it != out.rend(); ++it) {
    if (it->name == root) {
      it->gvk = GroupVersionKind{group, version, kind};
      break;
    }
  }
}

int CompareKubeAwareVersions(const std::string& a, const std::string& b) {
  KubeVersion x = ParseKubeVersion(a), y = ParseKubeVersion(b);
  if (x.ok != y.ok) return x.ok ? -1 : 1;
  if (!x.ok) return a.compare(b);
  if (x.stability != y.stability) return y.stability - x.stability;
  if (x.major != y.major) return y.major - x.major;
  return y.minor - x.minor;
}

Json EvaluateSimpleJsonPath(const Json& obj, const std::string& path) {
  std::string p = path;
  if (p.size() >= 2 && p.front() == '{' && p.back() == '}') p = p.substr(1, p.size() - 2);
  if (!p.empty() && p[0] == '$') p = p.substr(1);
  const Json* cur = &obj;
  size_t i = 0;
  while (cur && i < p.size()) {
    size_t before = i;
    cur = Step(cur, p, i);
    if (i == before) return nullptr;  // no progress: a malformed path
  }
  return cur ? *cur : Json(nullptr);
}

}  // namespace minik
