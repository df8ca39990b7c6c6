// JSON parsing with a nesting bound, and metadata accessors that never throw.
//
// Parsing goes through nlohmann's SAX interface so that an over-deep document is rejected
// while it is being read: nothing deeper than max_depth is ever built, so the recursive
// operations used later (dump, copy, compare) cannot exhaust the stack.
#include "api/json.h"

#include <cstring>
#include <set>
#include <vector>

namespace minik {
namespace {

class DepthLimitedSax {
 public:
  // `duplicates`, when set, receives the path of every repeated object key
  // ("metadata.name", "spec.containers[0].image"), as sigs.k8s.io/json's strict decoder names
  // them; the last value wins, as Go's decoder keeps it.
  DepthLimitedSax(Json& root, int max_depth, std::vector<std::string>* duplicates)
      : dom_(root, /*allow_exceptions=*/false), max_(max_depth), duplicates_(duplicates) {}

  bool null() { return Value() && dom_.null(); }
  bool boolean(bool v) { return Value() && dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return Value() && dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return Value() && dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& s) {
    return Value() && dom_.number_float(v, s);
  }
  bool string(Json::string_t& s) { return Value() && dom_.string(s); }
  bool binary(Json::binary_t& b) { return Value() && dom_.binary(b); }
  bool key(Json::string_t& k) {
    if (duplicates_ && !frames_.empty()) {
      Frame& f = frames_.back();
      if (!f.keys.insert(k).second) duplicates_->push_back(Path(k));
      f.key = k;
    }
    return dom_.key(k);
  }
  bool start_object(std::size_t n) {
    if (++depth_ > max_) return TooDeep();
    Value();
    if (duplicates_) frames_.emplace_back().object = true;
    return dom_.start_object(n);
  }
  bool end_object() {
    --depth_;
    if (duplicates_) frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (++depth_ > max_) return TooDeep();
    Value();
    if (duplicates_) frames_.emplace_back().object = false;
    return dom_.start_array(n);
  }
  bool end_array() {
    --depth_;
    if (duplicates_) frames_.pop_back();
    return dom_.end_array();
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) {
    error_ = ex.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " tag: users read this text.
    if (!error_.empty() && error_[0] == '[') {
      auto close = error_.find("] ");
      if (close != std::string::npos) error_ = error_.substr(close + 2);
    }
    return false;
  }

  const std::string& error() const { return error_; }

 private:
  struct Frame {
    bool object = true;
    std::set<std::string> keys;  // objects: the keys so far
    std::string key;             // objects: the current key
    size_t index = 0;            // arrays: the current element
    size_t next = 0;             // arrays: elements started so far
  };

  // A value starts: inside an array it is the next element.
  bool Value() {
    if (duplicates_ && !frames_.empty() && !frames_.back().object) {
      frames_.back().index = frames_.back().next++;
    }
    return true;
  }

  std::string Path(const std::string& last) const {
    std::string path;
    for (size_t i = 0; i + 1 < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.object) {
        path += (path.empty() ? "" : ".") + f.key;
      } else {
        path += "[" + std::to_string(f.index) + "]";
      }
    }
    return path + (path.empty() ? "" : ".") + last;
  }

  bool TooDeep() {
    error_ = "JSON nesting depth exceeds the maximum of " + std::to_string(max_);
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  int max_;
  int depth_ = 0;
  std::string error_;
  std::vector<std::string>* duplicates_;
  std::vector<Frame> frames_;
};

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, int max_depth) {
  return ParseJson(text, max_depth, nullptr);
}

StatusOr<Json> ParseJson(std::string_view text, int max_depth,
                         std::vector<std::string>* duplicate_fields) {
  // nlohmann's lexer takes a NUL byte for the end of the input, so `{}\0garbage` would parse
  // as `{}`. No valid JSON text holds a raw NUL (strings must escape it), as Go's decoder says.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return BadRequest("invalid character '\\x00' at offset " + std::to_string(nul));
  }
  Json root;
  DepthLimitedSax sax(root, max_depth, duplicate_fields);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &sax);
  } catch (const std::exception& e) {
    // sax_parse reports syntax errors through parse_error(); anything thrown is unexpected
    // (e.g. allocation failure) but must not escape.
    return BadRequest(std::string("invalid JSON: ") + e.what());
  }
  if (!ok) {
    return BadRequest(sax.error().empty() ? "invalid JSON" : sax.error());
  }
  return root;
}

const Json* Find(const Json& obj, std::initializer_list<const char*> path) {
  const Json* cur = &obj;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string GetString(const Json& obj, std::initializer_list<const char*> path) {
  const Json* v = Find(obj, path);
  if (v == nullptr || !v->is_string()) return "";
  return v->get_ref<const std::string&>();
}

int64_t GetInt(const Json& obj, std::initializer_list<const char*> path, int64_t fallback) {
  const Json* v = Find(obj, path);
  if (v == nullptr) return fallback;
  if (v->is_number_integer() && !v->is_number_unsigned()) return v->get<int64_t>();
  if (v->is_number_unsigned()) {
    auto u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return fallback;
    return static_cast<int64_t>(u);
  }
  return fallback;
}

const Json& Labels(const Json& o) {
  static const Json kEmpty = Json::object();
  const Json* l = Find(o, {"metadata", "labels"});
  if (l == nullptr || !l->is_object()) return kEmpty;
  return *l;
}

std::string ObjectKey(const Json& o) {
  std::string ns = Namespace(o);
  std::string name = Name(o);
  return ns.empty() ? name : ns + "/" + name;
}

}  // namespace minik
