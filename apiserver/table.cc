#include "apiserver/table.h"

namespace minik {
namespace {

constexpr const char* kNameDescription =
    "Name must be unique within a namespace. Is required when creating resources, although "
    "some resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
constexpr const char* kAgeDescription =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";

bool HasOwnAge(const ResourceInfo& info) {
  if (info.full_row) return true;
  for (const auto& c : info.columns) {
    if (c.name == "Age") return true;
  }
  return false;
}

Json Column(const std::string& name, const std::string& type, const std::string& format,
            const std::string& description, int priority) {
  return Json{{"name", name},
              {"type", type},
              {"format", format},
              {"description", description},
              {"priority", priority}};
}

std::string Age(const Json& obj, SystemTime now) {
  SystemTime created;
  std::string ts = GetString(obj, {"metadata", "creationTimestamp"});
  if (ts.empty() || !ParseRfc3339(ts, &created)) return "<unknown>";
  auto d = std::chrono::duration_cast<std::chrono::seconds>(now - created);
  if (d.count() < 0) d = std::chrono::seconds(0);
  return HumanDuration(d);
}

Json RowObject(const Json& obj, const TableOptions& opts) {
  if (opts.include == IncludeObject::kObject) return obj;
  const Json* md = Find(obj, {"metadata"});
  return Json{{"kind", "PartialObjectMetadata"},
              {"apiVersion", "meta.k8s.io/" + opts.meta_version},
              {"metadata", md ? *md : Json::object()}};
}

// A <Kind>List (as the registry returns from List), not an object with an `items` field.
bool IsList(const Json& obj) {
  const Json* items = Find(obj, {"items"});
  std::string kind = GetString(obj, {"kind"});
  bool list_kind = kind.empty() || (kind.size() > 4 && kind.compare(kind.size() - 4, 4, "List") == 0);
  return items && items->is_array() && list_kind;
}

}  // namespace

Json TableColumns(const ResourceInfo& info) {
  Json cols = Json::array();
  if (!info.full_row) cols.push_back(Column("Name", "string", "name", kNameDescription, 0));
  for (const auto& c : info.columns) {
    cols.push_back(Column(c.name, c.type, c.format, c.description, c.priority));
  }
  if (!HasOwnAge(info)) cols.push_back(Column("Age", "date", "", kAgeDescription, 0));
  return cols;
}

Json TableRow(const ResourceInfo& info, const Json& obj, SystemTime now,
              const TableOptions& opts) {
  Json cells = Json::array();
  if (!info.full_row) cells.push_back(Name(obj));
  std::vector<Json> own;
  if (info.cells) own = info.cells(obj, now);
  // A cells function that returns fewer values than columns leaves the rest blank rather
  // than shifting columns.
  for (size_t i = 0; i < info.columns.size(); ++i) {
    cells.push_back(i < own.size() ? own[i] : Json(""));
  }
  if (!HasOwnAge(info)) cells.push_back(Age(obj, now));
  Json row{{"cells", std::move(cells)}};
  if (opts.include != IncludeObject::kNone) row["object"] = RowObject(obj, opts);
  return row;
}

Json ToTable(const ResourceInfo& info, const Json& list_or_object, SystemTime now,
             const TableOptions& opts) {
  Json table{{"kind", "Table"},
             {"apiVersion", "meta.k8s.io/" + opts.meta_version},
             {"metadata", Json::object()}};
  table["columnDefinitions"] = opts.column_definitions ? TableColumns(info) : Json::array();
  Json rows = Json::array();
  const Json* items = Find(list_or_object, {"items"});
  if (IsList(list_or_object)) {
    for (const auto& item : *items) rows.push_back(TableRow(info, item, now, opts));
    std::string rv = GetString(list_or_object, {"metadata", "resourceVersion"});
    std::string cont = GetString(list_or_object, {"metadata", "continue"});
    if (!rv.empty()) table["metadata"]["resourceVersion"] = rv;
    if (!cont.empty()) table["metadata"]["continue"] = cont;
    if (const Json* rem = Find(list_or_object, {"metadata", "remainingItemCount"})) {
      table["metadata"]["remainingItemCount"] = *rem;
    }
  } else {
    rows.push_back(TableRow(info, list_or_object, now, opts));
    std::string rv = ResourceVersion(list_or_object);
    if (!rv.empty()) table["metadata"]["resourceVersion"] = rv;
  }
  table["rows"] = std::move(rows);
  return table;
}

Json ToPartialObjectMetadata(const Json& list_or_object, const std::string& meta_version) {
  std::string api_version = "meta.k8s.io/" + meta_version;
  auto partial = [&](const Json& obj) {
    const Json* md = Find(obj, {"metadata"});
    return Json{{"kind", "PartialObjectMetadata"},
                {"apiVersion", api_version},
                {"metadata", md ? *md : Json::object()}};
  };
  const Json* items = Find(list_or_object, {"items"});
  if (!IsList(list_or_object)) return partial(list_or_object);
  Json list{{"kind", "PartialObjectMetadataList"}, {"apiVersion", api_version}};
  const Json* md = Find(list_or_object, {"metadata"});
  list["metadata"] = md ? *md : Json::object();
  list["items"] = Json::array();
  for (const auto& item : *items) list["items"].push_back(partial(item));
  return list;
}

}  // namespace minik
