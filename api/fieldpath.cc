// Field sets of structured-merge-diff (fieldpath/set.go, element.go, serialize.go,
// serialize-pe.go, path.go) over nlohmann::json. See api/fieldpath.h for the contract; the
// typed walks are in api/fieldpath_typed.cc.
#include "api/fieldpath.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

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

}  // namespace minik::fieldpath
