// RFC 7386 JSON merge patch (what `kubectl label`, `annotate` and `scale` send).
#include "api/patch.h"

namespace minik {

Json ApplyMergePatch(const Json& doc, const Json& patch) {
  if (!patch.is_object()) return patch;
  Json result = doc.is_object() ? doc : Json::object();
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_null()) {
      result.erase(it.key());
      continue;
    }
    auto cur = result.find(it.key());
    // Recursion follows the patch, whose depth the JSON parser bounds.
    result[it.key()] = ApplyMergePatch(cur == result.end() ? Json() : *cur, *it);
  }
  return result;
}

}  // namespace minik
