// The object model: objects are nlohmann::json inside minik; typed structs only where a
// component needs them. Helpers here read and write metadata without throwing.
#pragma once

#include <string>
#include <vector>
#include <nlohmann/json.hpp>

#include "api/status.h"

namespace minik {

using Json = nlohmann::json;

// Parses JSON with a nesting-depth bound; BadRequest with a message on malformed input.
StatusOr<Json> ParseJson(std::string_view text, int max_depth = 100);
// Also records in `duplicate_fields` the path of every repeated object key ("metadata.name",
// "spec.containers[0].image"); the last value wins.
StatusOr<Json> ParseJson(std::string_view text, int max_depth,
                         std::vector<std::string>* duplicate_fields);

// Safe accessors: return "" / nullptr / empty when the path is missing or of another type.
const Json* Find(const Json& obj, std::initializer_list<const char*> path);
std::string GetString(const Json& obj, std::initializer_list<const char*> path);
int64_t GetInt(const Json& obj, std::initializer_list<const char*> path, int64_t fallback = 0);

inline std::string Name(const Json& o) { return GetString(o, {"metadata", "name"}); }
inline std::string Namespace(const Json& o) { return GetString(o, {"metadata", "namespace"}); }
inline std::string Uid(const Json& o) { return GetString(o, {"metadata", "uid"}); }
inline std::string ResourceVersion(const Json& o) {
  return GetString(o, {"metadata", "resourceVersion"});
}
// metadata.labels as a JSON object (an empty object when absent).
const Json& Labels(const Json& o);
// "ns/name" or "name" — the cache/work-queue key of an object.
std::string ObjectKey(const Json& o);

}  // namespace minik
