// RFC 6902 JSON patch, with the apiserver's limits and error mapping
// (k8s.io/apiserver/pkg/endpoints/handlers/patch.go, applyJSPatch).
//
// The patch is applied to a private copy, so a failing operation leaves nothing behind. Every
// operation keeps two invariants that make later recursive work (copying, comparing,
// serialising) safe: the document never nests deeper than kMaxPatchDepth, and the bytes
// duplicated by "copy" stay under kMaxAccumulatedCopy (a copy bomb is 10000 doublings).
#include <cerrno>
#include <cstdlib>
#include <limits>

#include "api/patch.h"

namespace minik {
namespace {

constexpr size_t kMaxOperations = 10000;
constexpr int64_t kMaxAccumulatedCopy = 16 << 20;

using Tokens = std::vector<std::string>;

// Applies RFC 6901 unescaping: "~1" is "/", "~0" is "~" (other '~' are kept, as upstream).
std::string Unescape(const std::string& token) {
  std::string out;
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out.push_back(token[i + 1] == '0' ? '~' : '/');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

bool ParsePointer(const std::string& path, Tokens* out) {
  out->clear();
  if (path.empty()) return true;
  if (path[0] != '/') return false;
  size_t start = 1;
  while (true) {
    size_t slash = path.find('/', start);
    out->push_back(Unescape(path.substr(start, slash == std::string::npos ? std::string::npos
                                                                          : slash - start)));
    if (slash == std::string::npos) return true;
    start = slash + 1;
  }
}

// Parses an array index; negative values count from the end. false if not an integer or out
// of int64 range.
bool ParseIndex(const std::string& token, int64_t* out) {
  if (token.empty()) return false;
  size_t i = token[0] == '-' ? 1 : 0;
  if (i == token.size()) return false;
  for (size_t k = i; k < token.size(); ++k) {
    if (token[k] < '0' || token[k] > '9') return false;
  }
  errno = 0;
  long long v = std::strtoll(token.c_str(), nullptr, 10);
  if (errno == ERANGE) return false;
  *out = v;
  return true;
}

// Resolves an index into [0, size) (or [0, size] when `insert`), counting negatives from the end.
bool ResolveIndex(const std::string& token, size_t size, bool insert, size_t* out) {
  int64_t idx;
  if (!ParseIndex(token, &idx)) return false;
  const int64_t n = static_cast<int64_t>(size);
  if (idx < 0) {
    if (idx < -n) return false;
    idx += n;
  }
  if (idx > n || (!insert && idx == n)) return false;
  *out = static_cast<size_t>(idx);
  return true;
}

Json* Get(Json& doc, const Tokens& tokens, size_t count) {
  Json* cur = &doc;
  for (size_t i = 0; i < count; ++i) {
    const std::string& t = tokens[i];
    if (cur->is_object()) {
      auto it = cur->find(t);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      size_t idx;
      if (!ResolveIndex(t, cur->size(), false, &idx)) return nullptr;
      cur = &(*cur)[idx];
    } else {
      return nullptr;
    }
  }
  return cur;
}

// Depth and byte size of a value, without recursion.
void Measure(const Json& v, int* depth, int64_t* bytes) {
  std::vector<std::pair<const Json*, int>> stack{{&v, 1}};
  *depth = 0;
  *bytes = 0;
  while (!stack.empty()) {
    auto [j, d] = stack.back();
    stack.pop_back();
    *bytes += 1;
    if (j->is_string()) *bytes += static_cast<int64_t>(j->get_ref<const std::string&>().size());
    if (j->is_object() || j->is_array()) {
      *depth = std::max(*depth, d);
      for (auto it = j->begin(); it != j->end(); ++it) {
        if (j->is_object()) *bytes += static_cast<int64_t>(it.key().size());
        stack.push_back({&*it, d + 1});
      }
    }
  }
}

class Applier {
 public:
  explicit Applier(Json doc) : doc_(std::move(doc)) {}

  Status Apply(const Json& op) {
    if (!op.is_object()) return PatchApplyError("operation is not an object");
    const Json* kind = Find(op, {"op"});
    std::string name = kind && kind->is_string() ? kind->get<std::string>() : "unknown";
    if (name != "add" && name != "remove" && name != "replace" && name != "move" &&
        name != "copy" && name != "test") {
      return PatchApplyError("Unexpected kind: " + name);
    }
    std::string path_text;
    Tokens path;
    MINIK_RETURN_IF_ERROR(PathOf(op, "path", &path_text, &path));
    const Json* value = nullptr;
    if (name == "add" || name == "replace" || name == "test") {
      auto it = op.find("value");
      if (it == op.end()) return PatchApplyError(name + " operation has no value");
      value = &*it;
    }
    if (name == "add") return Add(path, path_text, *value, name);
    if (name == "remove") return Remove(path, path_text);
    if (name == "replace") return Replace(path, path_text, *value);
    if (name == "test") return Test(path, path_text, *value);
    std::string from_text;
    Tokens from;
    MINIK_RETURN_IF_ERROR(PathOf(op, "from", &from_text, &from));
    if (name == "move") return Move(from, from_text, path, path_text);
    return Copy(from, from_text, path, path_text);
  }

  Json& doc() { return doc_; }

 private:
  static Status PathOf(const Json& op, const char* key, std::string* text, Tokens* tokens) {
    const Json* p = Find(op, {key});
    if (p == nullptr || !p->is_string()) {
      return PatchApplyError(std::string("operation is missing \"") + key + "\"");
    }
    *text = p->get<std::string>();
    if (!ParsePointer(*text, tokens)) {
      return PatchApplyError("invalid JSON pointer: \"" + *text + "\"");
    }
    return Status::Ok();
  }

  Status CheckDepth(const Tokens& path, const Json& value) {
    int depth;
    int64_t bytes;
    Measure(value, &depth, &bytes);
    if (static_cast<int64_t>(path.size()) + depth > kMaxPatchDepth) {
      return PatchApplyError("result would nest deeper than " + std::to_string(kMaxPatchDepth) +
                             " levels");
    }
    return Status::Ok();
  }

  Status Add(const Tokens& path, const std::string& text, const Json& value, const std::string& op) {
    MINIK_RETURN_IF_ERROR(CheckDepth(path, value));
    if (path.empty()) {
      doc_ = value;
      return Status::Ok();
    }
    Json* parent = Get(doc_, path, path.size() - 1);
    if (parent == nullptr || !(parent->is_object() || parent->is_array())) {
      return PatchApplyError(op + " operation does not apply: doc is missing path: \"" + text +
                             "\": missing value");
    }
    const std::string& last = path.back();
    if (parent->is_object()) {
      (*parent)[last] = value;
      return Status::Ok();
    }
    if (last == "-") {
      parent->push_back(value);
      return Status::Ok();
    }
    size_t idx;
    if (!ResolveIndex(last, parent->size(), true, &idx)) {
      return PatchApplyError("Unable to access invalid index: " + last +
                             ": invalid index referenced");
    }
    parent->insert(parent->begin() + static_cast<std::ptrdiff_t>(idx), value);
    return Status::Ok();
  }

  Status Remove(const Tokens& path, const std::string& text) {
    if (path.empty()) return PatchApplyError("remove operation does not apply to the whole document");
    Json* parent = Get(doc_, path, path.size() - 1);
    if (parent == nullptr || !(parent->is_object() || parent->is_array())) {
      return PatchApplyError("remove operation does not apply: doc is missing path: \"" + text +
                             "\": missing value");
    }
    const std::string& last = path.back();
    if (parent->is_object()) {
      if (parent->erase(last) == 0) {
        return PatchApplyError("Unable to remove nonexistent key: " + last + ": missing value");
      }
      return Status::Ok();
    }
    size_t idx;
    if (!ResolveIndex(last, parent->size(), false, &idx)) {
      return PatchApplyError("Unable to access invalid index: " + last +
                             ": invalid index referenced");
    }
    parent->erase(parent->begin() + static_cast<std::ptrdiff_t>(idx));
    return Status::Ok();
  }

  Status Replace(const Tokens& path, const std::string& text, const Json& value) {
    MINIK_RETURN_IF_ERROR(CheckDepth(path, value));
    if (path.empty()) {
      doc_ = value;
      return Status::Ok();
    }
    Json* parent = Get(doc_, path, path.size() - 1);
    if (parent == nullptr || !(parent->is_object() || parent->is_array())) {
      return PatchApplyError("replace operation does not apply: doc is missing path: " + text +
                             ": missing value");
    }
    const std::string& last = path.back();
    if (parent->is_object()) {
      auto it = parent->find(last);
      if (it == parent->end()) {
        return PatchApplyError("replace operation does not apply: doc is missing key: " + text +
                               ": missing value");
      }
      *it = value;
      return Status::Ok();
    }
    size_t idx;
    if (!ResolveIndex(last, parent->size(), false, &idx)) {
      return PatchApplyError("replace operation does not apply: doc is missing key: " + text +
                             ": missing value");
    }
    (*parent)[idx] = value;
    return Status::Ok();
  }

  Status Test(const Tokens& path, const std::string& text, const Json& value) {
    Json* cur = Get(doc_, path, path.size());
    // A missing path tests equal to null, as upstream's library does.
    if ((cur == nullptr && value.is_null()) || (cur != nullptr && *cur == value)) {
      return Status::Ok();
    }
    return PatchApplyError("testing value " + text + " failed: test failed");
  }

  static bool IsPrefix(const Tokens& prefix, const Tokens& path) {
    if (prefix.size() >= path.size()) return false;
    return std::equal(prefix.begin(), prefix.end(), path.begin());
  }

  Status Move(const Tokens& from, const std::string& from_text, const Tokens& path,
              const std::string& text) {
    Json* src = Get(doc_, from, from.size());
    if (src == nullptr) {
      return PatchApplyError("move operation does not apply: doc is missing from path: " +
                             from_text + ": missing value");
    }
    if (from == path) return Status::Ok();
    if (IsPrefix(from, path)) {
      return PatchApplyError("move operation does not apply: cannot move \"" + from_text +
                             "\" into its own child \"" + text + "\"");
    }
    // A failure leaves doc_ half-moved, which is fine: the whole patch then fails and the
    // caller's document was never touched.
    Json value = std::move(*src);
    MINIK_RETURN_IF_ERROR(Remove(from, from_text));
    if (!Add(path, text, value, "move").ok()) {
      return PatchApplyError("move operation does not apply: doc is missing destination path: " +
                             text + ": missing value");
    }
    return Status::Ok();
  }

  Status Copy(const Tokens& from, const std::string& from_text, const Tokens& path,
              const std::string& text) {
    Json* src = Get(doc_, from, from.size());
    if (src == nullptr) {
      return PatchApplyError("copy operation does not apply: doc is missing from path: " +
                             from_text + ": missing value");
    }
    int depth;
    int64_t bytes;
    Measure(*src, &depth, &bytes);
    copied_ += bytes;
    if (copied_ > kMaxAccumulatedCopy) {
      return PatchApplyError("Unable to complete the copy, the accumulated size increase of copy "
                             "is " + std::to_string(copied_) + ", exceeding the limit " +
                             std::to_string(kMaxAccumulatedCopy));
    }
    Json value = *src;
    return Add(path, text, value, "copy");
  }

  Json doc_;
  int64_t copied_ = 0;
};

const char* GoKind(const Json& v) {
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_number()) return "number";
  return "null";
}

}  // namespace

Status PatchApplyError(const std::string& detail) {
  StatusDetails d;
  d.causes.push_back(StatusCause{"FieldValueInvalid", detail, "patch"});
  return Status(Code::kInvalid, "the server rejected our request due to an error in our request",
                std::move(d));
}

StatusOr<Json> ApplyJsonPatch(const Json& doc, const Json& patch) {
  // Decoding: upstream unmarshals into a list of operation maps.
  if (!patch.is_array()) {
    return BadRequest(std::string("json: cannot unmarshal ") + GoKind(patch) +
                      " into Go value of type jsonpatch.Patch");
  }
  for (const Json& op : patch) {
    if (!op.is_object()) {
      return BadRequest(std::string("json: cannot unmarshal ") + GoKind(op) +
                        " into Go value of type jsonpatch.Operation");
    }
  }
  if (patch.size() > kMaxOperations) {
    return Status(Code::kRequestEntityTooLarge,
                  "The allowed maximum operations in a JSON patch is " +
                      std::to_string(kMaxOperations) + ", got " + std::to_string(patch.size()));
  }
  try {
    Applier applier(doc);
    for (const Json& op : patch) MINIK_RETURN_IF_ERROR(applier.Apply(op));
    return std::move(applier.doc());
  } catch (const std::exception& e) {
    // Every access above is checked; this is a last line of defence for allocation failures.
    return PatchApplyError(e.what());
  }
}

}  // namespace minik
