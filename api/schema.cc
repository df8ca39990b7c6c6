// SchemaRegistry: the parser of the schema text (format: api/schemas/README.md) and the
// compiled-in registry. Parsing works on string_views of one line at a time; the whole
// built-in data (~450 KB, ~350 types) loads in a few milliseconds.
#include "api/schema.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string_view>

#include "api/schemas/schemas.h"

namespace minik {

const FieldSchema* TypeSchema::Field(const std::string& json_name) const {
  if (json_name.empty()) return nullptr;
  for (const FieldSchema& f : fields) {
    if (f.name == json_name) return &f;
  }
  return nullptr;
}

const FieldSchema* TypeSchema::FieldByProto(int number) const {
  if (number <= 0) return nullptr;
  for (const FieldSchema& f : fields) {
    if (f.proto == number) return &f;
  }
  return nullptr;
}

const FieldSchema* TypeSchema::Wrapped() const {
  if (fields.size() != 1 || !fields[0].name.empty() || fields[0].IsInline()) return nullptr;
  return &fields[0];
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits off the next whitespace-separated token of `s`.
std::string_view NextToken(std::string_view& s) {
  s = Trim(s);
  size_t end = s.find_first_of(" \t");
  std::string_view tok = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view() : s.substr(end);
  return tok;
}

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-' || c == '$';
    if (!ok) return false;
  }
  return true;
}

// Builtin value types by their text names.
bool BuiltinType(std::string_view name, ValueType* out) {
  static const std::pair<std::string_view, ValueType> kTypes[] = {
      {"string", ValueType::kString},         {"bool", ValueType::kBool},
      {"int32", ValueType::kInt32},           {"int64", ValueType::kInt64},
      {"double", ValueType::kDouble},         {"bytes", ValueType::kBytes},
      {"Quantity", ValueType::kQuantity},     {"IntOrString", ValueType::kIntOrString},
      {"Time", ValueType::kTime},             {"MicroTime", ValueType::kMicroTime},
      {"Duration", ValueType::kDuration},     {"RawExtension", ValueType::kRawExtension},
      {"FieldsV1", ValueType::kFieldsV1},     {"any", ValueType::kAny},
  };
  for (const auto& [n, t] : kTypes) {
    if (n == name) {
      *out = t;
      return true;
    }
  }
  return false;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Status Run(std::vector<TypeSchema>* out) {
    size_t pos = 0;
    while (pos <= text_.size()) {
      size_t nl = text_.find('\n', pos);
      if (nl == std::string_view::npos) nl = text_.size();
      ++line_no_;
      MINIK_RETURN_IF_ERROR(Line(text_.substr(pos, nl - pos), out));
      pos = nl + 1;
    }
    return Status::Ok();
  }

 private:
  Status Error(const std::string& what) const {
    return BadRequest("schema line " + std::to_string(line_no_) + ": " + what);
  }

  std::string Qualify(std::string_view name) const {
    if (name.find('.') != std::string_view::npos) return std::string(name);
    return package_ + "." + std::string(name);
  }

  // `package` and `type` lines start in column 0; field and description lines are indented
  // (a field may be called "type").
  Status Line(std::string_view raw, std::vector<TypeSchema>* out) {
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') return Status::Ok();
    bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (indented && line.front() == '|') return Description(line.substr(1), out);
    std::string_view rest = line;
    std::string_view first = NextToken(rest);
    if (!indented) {
      if (first == "type") return TypeLine(rest, out);
      if (first != "package") return Error("expected 'package' or 'type' in column 0");
      std::string_view pkg = NextToken(rest);
      if (!IsIdentifier(pkg) || !Trim(rest).empty()) return Error("bad package line");
      package_ = std::string(pkg);
      in_type_ = false;
      return Status::Ok();
    }
    if (out->empty() || !in_type_) return Error("field outside of a type block");
    return FieldLine(first, rest, &out->back());
  }

  Status TypeLine(std::string_view rest, std::vector<TypeSchema>* out) {
    std::string_view name = NextToken(rest);
    if (!IsIdentifier(name)) return Error("bad type name");
    if (name.find('.') == std::string_view::npos && package_.empty()) {
      return Error("short type name before any package line");
    }
    TypeSchema type;
    type.name = Qualify(name);
    for (std::string_view opt = NextToken(rest); !opt.empty(); opt = NextToken(rest)) {
      if (opt.substr(0, 4) != "gvk=") return Error("unknown type option " + std::string(opt));
      std::string_view gvk = opt.substr(4);
      size_t s1 = gvk.find('/');
      size_t s2 = s1 == std::string_view::npos ? s1 : gvk.find('/', s1 + 1);
      if (s2 == std::string_view::npos || s2 == s1 + 1 || s2 + 1 >= gvk.size()) {
        return Error("gvk must be group/version/Kind (core: /v1/Kind)");
      }
      type.gvk = GroupVersionKind{std::string(gvk.substr(0, s1)),
                                  std::string(gvk.substr(s1 + 1, s2 - s1 - 1)),
                                  std::string(gvk.substr(s2 + 1))};
    }
    out->push_back(std::move(type));
    in_type_ = true;
    desc_started_ = false;
    return Status::Ok();
  }

  // One description line: one space after '|' is dropped, the rest is verbatim, and lines
  // are joined with '\n' (an empty line makes a paragraph break).
  Status Description(std::string_view text, std::vector<TypeSchema>* out) {
    if (out->empty() || !in_type_) return Error("description outside of a type block");
    TypeSchema& type = out->back();
    std::string& desc = type.fields.empty() ? type.description : type.fields.back().description;
    if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    if (desc_started_) desc += '\n';
    desc.append(text);
    desc_started_ = true;
    return Status::Ok();
  }

  Status ParseType(std::string_view tok, FieldSchema* f) {
    if (tok.substr(0, 5) == "list<" || tok.substr(0, 4) == "map<") {
      if (tok.back() != '>') return Error("unterminated " + std::string(tok));
      bool list = tok[0] == 'l';
      f->container = list ? Container::kList : Container::kMap;
      tok = tok.substr(list ? 5 : 4);
      tok.remove_suffix(1);
      if (tok.find('<') != std::string_view::npos) {
        return Error("nested containers are not supported; use a wrapper type");
      }
    }
    if (BuiltinType(tok, &f->type)) return Status::Ok();
    if (!IsIdentifier(tok)) return Error("bad type " + std::string(tok));
    if (tok.find('.') == std::string_view::npos && package_.empty()) {
      return Error("short type name before any package line");
    }
    f->type = ValueType::kObject;
    f->ref = Qualify(tok);
    return Status::Ok();
  }

  Status FieldLine(std::string_view name, std::string_view rest, TypeSchema* type) {
    FieldSchema f;
    if (name != "-") {
      if (!IsIdentifier(name)) return Error("bad field name");
      f.name = std::string(name);
      if (type->Field(f.name) != nullptr) return Error("duplicate field " + f.name);
    }
    std::string_view num = NextToken(rest);
    auto [ptr, ec] = std::from_chars(num.data(), num.data() + num.size(), f.proto);
    if (num.empty() || ec != std::errc() || ptr != num.data() + num.size() || f.proto < 0 ||
        f.proto > 536870911) {
      return Error("bad protobuf field number '" + std::string(num) + "'");
    }
    if (f.proto != 0 && type->FieldByProto(f.proto) != nullptr) {
      return Error("duplicate protobuf number " + std::to_string(f.proto));
    }
    std::string_view type_tok = NextToken(rest);
    if (type_tok.empty()) return Error("missing type");
    MINIK_RETURN_IF_ERROR(ParseType(type_tok, &f));
    if (f.name.empty() && f.proto == 0) return Error("field '-' needs a protobuf number");
    for (std::string_view opt = NextToken(rest); !opt.empty(); opt = NextToken(rest)) {
      if (opt == "set") {
        f.list_type = ListType::kSet;
      } else if (opt == "required") {
        f.required = true;
      } else if (opt == "omitzero") {
        f.omit_zero = true;
      } else if (opt.substr(0, 6) == "merge=" && opt.size() > 6) {
        f.merge_key = std::string(opt.substr(6));
      } else if (opt.substr(0, 9) == "strategy=") {
        std::string_view s = opt.substr(9);
        if (s != "merge" && s != "retainKeys" && s != "merge,retainKeys" && s != "replace") {
          return Error("bad strategy " + std::string(s));
        }
        f.patch_strategy = std::string(s);
      } else if (opt.substr(0, 8) == "listmap=" && opt.size() > 8) {
        f.list_type = ListType::kMap;
        std::string_view keys = opt.substr(8);
        while (!keys.empty()) {
          size_t comma = keys.find(',');
          std::string_view key = keys.substr(0, comma);
          if (key.empty()) return Error("empty listmap key");
          f.list_map_keys.emplace_back(key);
          keys = comma == std::string_view::npos ? std::string_view() : keys.substr(comma + 1);
        }
      } else if (opt.substr(0, 5) == "enum=") {
        StatusOr<Json> v = ParseJson(opt.substr(5), 2);
        if (!v.ok() || !v->is_array() || v->empty()) return Error("enum must be a JSON array");
        for (const Json& e : *v) {
          if (!e.is_string()) return Error("enum values must be strings");
          f.enum_values.push_back(e.get<std::string>());
        }
      } else if (opt.substr(0, 8) == "default=") {
        // The JSON value runs to the end of the line, so it may contain spaces.
        std::string value = std::string(opt.substr(8)) + std::string(rest);
        StatusOr<Json> v = ParseJson(value, 16);
        if (!v.ok()) return Error("bad default: " + v.status().message());
        f.default_value = std::move(v.value());
        break;
      } else {
        return Error("unknown option " + std::string(opt));
      }
    }
    if (f.container != Container::kList &&
        (f.list_type != ListType::kAtomic || !f.merge_key.empty())) {
      return Error("list options on a non-list field");
    }
    type->fields.push_back(std::move(f));
    desc_started_ = false;
    return Status::Ok();
  }

  std::string_view text_;
  int line_no_ = 0;
  std::string package_;
  bool in_type_ = false;
  bool desc_started_ = false;  // a description line of the current type/field was read
};

// Appends to `out` the JSON fields an inline field of type `ref` contributes.
void CollectInline(const std::map<std::string, TypeSchema>& types, const std::string& ref,
                   int depth, std::vector<FieldSchema>* out) {
  auto it = types.find(ref);
  if (it == types.end() || depth > 8) return;
  for (const FieldSchema& f : it->second.fields) {
    if (!f.inlined_from.empty()) continue;
    if (f.IsInline()) {
      CollectInline(types, f.ref, depth + 1, out);
      continue;
    }
    if (f.name.empty()) continue;
    FieldSchema copy = f;
    copy.proto = 0;
    copy.inlined_from = ref;
    out->push_back(std::move(copy));
  }
}

}  // namespace

Status SchemaRegistry::Load(const std::string& text) {
  std::vector<TypeSchema> parsed;
  MINIK_RETURN_IF_ERROR(Parser(text).Run(&parsed));
  std::set<std::string> names;
  for (const TypeSchema& t : parsed) {
    if (!names.insert(t.name).second || types_.count(t.name) != 0) {
      return BadRequest("schema: type " + t.name + " defined twice");
    }
  }
  for (TypeSchema& t : parsed) {
    std::string name = t.name;
    types_.emplace(std::move(name), std::move(t));
  }
  LinkInline();
  return Status::Ok();
}

void SchemaRegistry::LinkInline() {
  for (auto& [name, type] : types_) {
    bool has_inline = false;
    for (const FieldSchema& f : type.fields) has_inline |= f.IsInline() || !f.inlined_from.empty();
    if (!has_inline) continue;
    std::erase_if(type.fields, [](const FieldSchema& f) { return !f.inlined_from.empty(); });
    std::vector<FieldSchema> copies;
    for (const FieldSchema& f : type.fields) {
      if (f.IsInline()) CollectInline(types_, f.ref, 0, &copies);
    }
    for (FieldSchema& c : copies) {
      if (type.Field(c.name) == nullptr) type.fields.push_back(std::move(c));
    }
  }
}

const TypeSchema* SchemaRegistry::Find(const std::string& name) const {
  auto it = types_.find(name);
  if (it != types_.end()) return &it->second;
  std::shared_lock lock(dyn_mu_);
  auto dyn = dynamic_.find(name);
  return dyn == dynamic_.end() ? nullptr : dyn->second.get();
}

const TypeSchema* SchemaRegistry::FindByGvk(const GroupVersionKind& gvk) const {
  for (const auto& [name, type] : types_) {
    if (type.gvk && *type.gvk == gvk) return &type;
  }
  std::shared_lock lock(dyn_mu_);
  for (const auto& [name, type] : dynamic_) {
    if (type->gvk && *type->gvk == gvk) return type.get();
  }
  return nullptr;
}

void SchemaRegistry::SetDynamic(const std::string& owner, std::vector<TypeSchema> types) {
  std::unique_lock lock(dyn_mu_);
  for (const std::string& name : dynamic_owners_[owner]) {
    auto it = dynamic_.find(name);
    if (it == dynamic_.end()) continue;
    retired_.push_back(std::move(it->second));
    dynamic_.erase(it);
  }
  std::vector<std::string>& names = dynamic_owners_[owner];
  names.clear();
  for (TypeSchema& type : types) {
    names.push_back(type.name);
    std::string name = type.name;
    dynamic_[name] = std::make_shared<const TypeSchema>(std::move(type));
  }
  if (names.empty()) dynamic_owners_.erase(owner);
}

Status SchemaRegistry::CheckReferences() const {
  std::string missing;
  for (const auto& [name, type] : types_) {
    for (const FieldSchema& f : type.fields) {
      if (f.type == ValueType::kObject && types_.count(f.ref) == 0) {
        missing += (missing.empty() ? "" : ", ") + name + "." +
                   (f.name.empty() ? "-" : f.name) + " -> " + f.ref;
      }
    }
  }
  if (missing.empty()) return Status::Ok();
  return BadRequest("schema: unknown types: " + missing);
}

const SchemaRegistry& BuiltinSchemas() {
  // Built once, on first use, thread-safely (static local); never destroyed so that
  // references stay valid during static destruction of other components.
  static const SchemaRegistry* const registry = [] {
    auto* r = new SchemaRegistry();
    for (std::string_view text : schemas::AllTexts()) {
      Status st = r->Load(std::string(text));
      if (!st.ok()) {
        std::fprintf(stderr, "minik: built-in schema data is broken: %s\n", st.message().c_str());
        std::abort();
      }
    }
    Status st = r->CheckReferences();
    if (!st.ok()) {
      std::fprintf(stderr, "minik: built-in schema data is broken: %s\n", st.message().c_str());
      std::abort();
    }
    return r;
  }();
  return *registry;
}

}  // namespace minik
