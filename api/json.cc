// JSON parsing with a nesting bound, and metadata accessors that never throw.
//
// Parsing goes through nlohmann's SAX interface so that an over-deep document is rejected
// while it is being read: nothing deeper than max_depth is ever built, so the recursive
// operations used later (dump, copy, compare) cannot exhaust the stack.
#include "api/json.h"

#include <cstring>

namespace minik {
namespace {

class DepthLimitedSax {
 public:
  DepthLimitedSax(Json& root, int max_depth) : dom_(root, /*allow_exceptions=*/false), max_(max_depth) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(Json::number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(Json::number_float_t v, const Json::string_t& s) {
    return dom_.number_float(v, s);
  }
  bool string(Json::string_t& s) { return dom_.string(s); }
  bool binary(Json::binary_t& b) { return dom_.binary(b); }
  bool key(Json::string_t& k) { return dom_.key(k); }
  bool start_object(std::size_t n) {
    if (++depth_ > max_) return TooDeep();
    return dom_.start_object(n);
  }
  bool end_object() {
    --depth_;
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    if (++depth_ > max_) return TooDeep();
    return dom_.start_array(n);
  }
  bool end_array() {
    --depth_;
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
  bool TooDeep() {
    error_ = "JSON nesting depth exceeds the maximum of " + std::to_string(max_);
    return false;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  int max_;
  int depth_ = 0;
  std::string error_;
};

}  // namespace

StatusOr<Json> ParseJson(std::string_view text, int max_depth) {
  Json root;
  DepthLimitedSax sax(root, max_depth);
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
