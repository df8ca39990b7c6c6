// REST paths of one kind for the OpenAPI documents, as the apiserver's installer describes
// them (operationId, tags, x-kubernetes-action, x-kubernetes-group-version-kind as an object,
// query parameters, request bodies and responses referencing the definitions). Watch paths
// and connect subresources (exec, attach, portforward, proxy, log) are not described.
#include <algorithm>
#include <cctype>
#include <map>
#include <vector>

#include "apiserver/openapi_internal.h"

namespace minik::openapi {
namespace {

constexpr const char* kStatus = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
constexpr const char* kDeleteOptions = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
constexpr const char* kPatch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

const char* kResponseTypes[] = {"application/json", "application/yaml",
                                "application/vnd.kubernetes.protobuf"};
const char* kPatchTypes[] = {"application/apply-patch+yaml", "application/json-patch+json",
                             "application/merge-patch+json",
                             "application/strategic-merge-patch+json"};

struct ParamDoc {
  const char* name;
  const char* type;
  const char* description;
};

// Query parameter texts of the apiserver (the long ones cut after their first sentences).
const ParamDoc kParams[] = {
    {"dryRun", "string",
     "When present, indicates that modifications should not be persisted. An invalid or "
     "unrecognized dryRun directive will result in an error response and no further "
     "processing of the request. Valid values are: - All: all dry run stages will be "
     "processed"},
    {"fieldManager", "string",
     "fieldManager is a name associated with the actor or entity that is making these "
     "changes. The value must be less than or 128 characters long, and only contain printable "
     "characters, as defined by https://golang.org/pkg/unicode/#IsPrint."},
    {"fieldValidation", "string",
     "fieldValidation instructs the server on how to handle objects in the request "
     "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: "
     "This will ignore any unknown fields that are silently dropped from the object, and will "
     "ignore all but the last duplicate field that the decoder encounters. This is the "
     "default behavior prior to v1.23. - Warn: This will send a warning via the standard "
     "warning response header for each unknown field that is dropped from the object, and "
     "for each duplicate field that is encountered. The request will still succeed if there "
     "are no other errors, and will only persist the last of any duplicate fields. This is "
     "the default in v1.23+ - Strict: This will fail the request with a BadRequest error if "
     "any unknown fields would be dropped from the object, or if any duplicate fields are "
     "present. The error returned from the server will contain all unknown and duplicate "
     "fields encountered."},
    {"force", "boolean",
     "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting "
     "fields owned by other people. Force flag must be unset for non-apply patch requests."},
    {"gracePeriodSeconds", "integer",
     "The duration in seconds before the object should be deleted. Value must be "
     "non-negative integer. The value zero indicates delete immediately. If this value is "
     "nil, the default grace period for the specified type will be used. Defaults to a per "
     "object value if not specified. zero means delete immediately."},
    {"orphanDependents", "boolean",
     "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. "
     "Should the dependent objects be orphaned. If true/false, the \"orphan\" finalizer will "
     "be added to/removed from the object's finalizers list. Either this field or "
     "PropagationPolicy may be set, but not both."},
    {"propagationPolicy", "string",
     "Whether and how garbage collection will be performed. Either this field or "
     "OrphanDependents may be set, but not both. The default policy is decided by the "
     "existing finalizer set in the metadata.finalizers and the resource-specific default "
     "policy. Acceptable values are: 'Orphan' - orphan the dependents; 'Background' - allow "
     "the garbage collector to delete the dependents in the background; 'Foreground' - a "
     "cascading policy that deletes all dependents in the foreground."},
    {"allowWatchBookmarks", "boolean",
     "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not "
     "implement bookmarks may ignore this flag and bookmarks are sent at the server's "
     "discretion."},
    {"continue", "string",
     "The continue option should be set when retrieving more results from the server. Since "
     "this value is server defined, clients may only use the continue value from a previous "
     "query result with identical query parameters (except for the value of continue) and the "
     "server may reject a continue value it does not recognize."},
    {"fieldSelector", "string",
     "A selector to restrict the list of returned objects by their fields. Defaults to "
     "everything."},
    {"labelSelector", "string",
     "A selector to restrict the list of returned objects by their labels. Defaults to "
     "everything."},
    {"limit", "integer",
     "limit is a maximum number of responses to return for a list call. If more items exist, "
     "the server will set the `continue` field on the list metadata to a value that can be "
     "used with the same initial query to retrieve the next set of results."},
    {"resourceVersion", "string",
     "resourceVersion sets a constraint on what resource versions a request may be served "
     "from. See https://kubernetes.io/docs/reference/using-api/api-concepts/"
     "#resource-versions for details.\n\nDefaults to unset"},
    {"resourceVersionMatch", "string",
     "resourceVersionMatch determines how resourceVersion is applied to list calls. It is "
     "highly recommended that resourceVersionMatch be set for list calls where "
     "resourceVersion is set See https://kubernetes.io/docs/reference/using-api/"
     "api-concepts/#resource-versions for details.\n\nDefaults to unset"},
    {"sendInitialEvents", "boolean",
     "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch "
     "stream will begin with synthetic events to produce the current state of objects in the "
     "collection."},
    {"timeoutSeconds", "integer",
     "Timeout for the list/watch call. This limits the duration of the call, regardless of "
     "any activity or inactivity."},
    {"watch", "boolean",
     "Watch for changes to the described resources and return them as a stream of add, "
     "update, and remove notifications. Specify resourceVersion."},
    {"pretty", "string",
     "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent "
     "indicates a browser or command-line HTTP tool (curl and wget)."},
};

Json Param(Flavor flavor, const std::string& name, const std::string& in,
           const std::string& description, const std::string& type, bool required) {
  Json p{{"description", description}, {"in", in}, {"name", name}};
  if (required) p["required"] = true;
  if (flavor == Flavor::kV3) {
    p["schema"] = Json{{"type", type}, {"uniqueItems", true}};
  } else {
    p["type"] = type;
    p["uniqueItems"] = true;
  }
  return p;
}

Json QueryParams(Flavor flavor, std::initializer_list<const char*> names) {
  Json out = Json::array();
  for (const char* name : names) {
    for (const ParamDoc& d : kParams) {
      if (std::string(d.name) == name) {
        out.push_back(Param(flavor, d.name, "query", d.description, d.type, false));
      }
    }
  }
  return out;
}

// "rbac.authorization.k8s.io" -> {"RbacAuthorization", "rbacAuthorization"}; "" -> "Core".
std::string GroupPrefix(const std::string& group) {
  if (group.empty()) return "Core";
  std::string g = group;
  const std::string suffix = ".k8s.io";
  if (g.size() > suffix.size() && g.compare(g.size() - suffix.size(), suffix.size(), suffix) == 0) {
    g.resize(g.size() - suffix.size());
  }
  std::string out;
  bool upper = true;
  for (char c : g) {
    if (c == '.' || c == '-') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

// "a Deployment", "an Ingress".
std::string Article(const std::string& kind) {
  return std::string(std::string("AEIOU").find(kind.empty() ? 'x' : kind[0]) != std::string::npos
                         ? "an "
                         : "a ") +
         kind;
}

std::string Capitalize(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

struct KindContext {
  const ResourceInfo& info;
  Flavor flavor;
  std::set<std::string>& refs;
  std::string prefix;  // "AppsV1"
  std::string tag;     // "apps_v1"
};

enum class Body { kNone, kObject, kPatch, kDeleteOptions };

struct OpSpec {
  OpSpec(std::string verb_, std::string action_, std::string id_middle_, bool namespaced_,
         std::string id_suffix_, std::string description_, GroupVersionKind gvk_)
      : verb(std::move(verb_)),
        action(std::move(action_)),
        id_middle(std::move(id_middle_)),
        namespaced(namespaced_),
        id_suffix(std::move(id_suffix_)),
        description(std::move(description_)),
        gvk(std::move(gvk_)) {}
  std::string verb;         // operationId verb: read, list, create, replace, patch, delete
  std::string action;       // x-kubernetes-action
  std::string id_middle;    // between prefix and kind: "", "Collection"
  bool namespaced = false;  // "Namespaced" in the operationId
  std::string id_suffix;    // "Status", "ForAllNamespaces"
  std::string description;
  GroupVersionKind gvk;
  std::string body_schema;  // for kObject bodies
  Body body = Body::kNone;
  std::vector<std::pair<std::string, std::string>> responses;  // code -> schema ("" none)
  Json params = Json::array();
};

// Strategic merge patch is advertised only with the schema it is computed from: kubectl
// takes merge keys and strategies from the definitions when a patch operation lists it.
bool SkipPatchType(const OpSpec& op, const char* type) {
  return op.body_schema.empty() && std::string(type) == "application/strategic-merge-patch+json";
}

Json Response(KindContext& k, const std::string& code, const std::string& schema) {
  static const std::map<std::string, std::string> kTexts = {
      {"200", "OK"}, {"201", "Created"}, {"202", "Accepted"}, {"401", "Unauthorized"}};
  Json r{{"description", kTexts.at(code)}};
  if (schema.empty()) return r;
  k.refs.insert(schema);
  Json ref{{"$ref", Ref(k.flavor, schema)}};
  if (k.flavor == Flavor::kV2) {
    r["schema"] = ref;
  } else {
    Json content = Json::object();
    for (const char* t : kResponseTypes) content[t] = Json{{"schema", ref}};
    r["content"] = std::move(content);
  }
  return r;
}

Json Operation(KindContext& k, OpSpec op) {
  Json o{{"description", op.description},
         {"operationId", op.verb + k.prefix + op.id_middle + (op.namespaced ? "Namespaced" : "") +
                             k.info.kind + op.id_suffix},
         {"tags", Json::array({k.tag})},
         {"x-kubernetes-action", op.action},
         {"x-kubernetes-group-version-kind",
          Json{{"group", op.gvk.group}, {"kind", op.gvk.kind}, {"version", op.gvk.version}}}};
  Json params = std::move(op.params);
  std::string body_schema;
  switch (op.body) {
    case Body::kNone:
      break;
    case Body::kObject:
      body_schema = op.body_schema;
      break;
    case Body::kPatch:
      body_schema = kPatch;
      break;  // op.body_schema: see SkipPatchType
    case Body::kDeleteOptions:
      body_schema = kDeleteOptions;
      break;
  }
  if (!body_schema.empty()) {
    k.refs.insert(body_schema);
    Json ref{{"$ref", Ref(k.flavor, body_schema)}};
    if (k.flavor == Flavor::kV3) {
      Json content = Json::object();
      if (op.body == Body::kPatch) {
        for (const char* t : kPatchTypes) {
          if (SkipPatchType(op, t)) continue;
          content[t] = Json{{"schema", ref}};
        }
      } else {
        content["*/*"] = Json{{"schema", ref}};
      }
      o["requestBody"] = Json{{"content", std::move(content)}, {"required", true}};
    } else {
      Json body{{"in", "body"}, {"name", "body"}, {"schema", ref}};
      if (op.body != Body::kDeleteOptions) body["required"] = true;
      params.insert(params.begin(), std::move(body));
      Json consumes = Json::array();
      if (op.body == Body::kPatch) {
        for (const char* t : kPatchTypes) {
          if (!SkipPatchType(op, t)) consumes.push_back(t);
        }
      } else {
        consumes.push_back("*/*");
      }
      o["consumes"] = std::move(consumes);
    }
  }
  if (k.flavor == Flavor::kV2) {
    if (!o.contains("consumes")) o["consumes"] = Json::array({"*/*"});
    Json produces = Json::array();
    for (const char* t : kResponseTypes) produces.push_back(t);
    o["produces"] = std::move(produces);
    o["schemes"] = Json::array({"https"});
  }
  if (!params.empty()) o["parameters"] = std::move(params);
  Json responses = Json::object();
  for (const auto& [code, schema] : op.responses) responses[code] = Response(k, code, schema);
  responses["401"] = Response(k, "401", "");
  o["responses"] = std::move(responses);
  return o;
}

Json PathParams(Flavor flavor, const std::string& kind, bool with_name, bool with_namespace) {
  Json p = Json::array();
  if (with_name) p.push_back(Param(flavor, "name", "path", "name of the " + kind, "string", true));
  if (with_namespace) {
    p.push_back(Param(flavor, "namespace", "path",
                      "object name and auth scope, such as for teams and projects", "string",
                      true));
  }
  for (const ParamDoc& d : kParams) {
    if (std::string(d.name) == "pretty") {
      p.push_back(Param(flavor, d.name, "query", d.description, d.type, false));
    }
  }
  return p;
}

// get/put/patch on an object (or a subresource of it) whose body is `schema` of `gvk`.
void AddObjectOps(KindContext& k, Json& item, const std::vector<std::string>& verbs,
                  const std::string& schema, const GroupVersionKind& gvk,
                  const std::string& what /* "" or "status of " */, const std::string& suffix) {
  const ResourceInfo& info = k.info;
  auto has = [&](const char* v) { return std::find(verbs.begin(), verbs.end(), v) != verbs.end(); };
  const std::string target = "the specified " + info.kind;
  if (has("get")) {
    OpSpec op{"read", "get", "", info.namespaced, suffix, "read " + what + target, gvk};
    op.responses = {{"200", schema}};
    item["get"] = Operation(k, std::move(op));
  }
  if (has("update")) {
    OpSpec op{"replace", "put", "", info.namespaced, suffix, "replace " + what + target, gvk};
    op.body = Body::kObject;
    op.body_schema = schema;
    op.params = QueryParams(k.flavor, {"dryRun", "fieldManager", "fieldValidation"});
    op.responses = {{"200", schema}, {"201", schema}};
    item["put"] = Operation(k, std::move(op));
  }
  if (has("patch")) {
    OpSpec op{"patch", "patch", "", info.namespaced, suffix, "partially update " + what + target,
              gvk};
    op.body = Body::kPatch;
    op.body_schema = schema;  // only marks whether the kind has a schema (SkipPatchType)
    op.params = QueryParams(k.flavor, {"dryRun", "fieldManager", "fieldValidation", "force"});
    op.responses = {{"200", schema}, {"201", schema}};
    item["patch"] = Operation(k, std::move(op));
  }
}

}  // namespace

void AddKindPaths(const ResourceInfo& info, const SchemaRegistry& schemas, Flavor flavor,
                  Json& paths, std::set<std::string>& refs) {
  KindContext k{info, flavor, refs, GroupPrefix(info.group) + Capitalize(info.version), ""};
  std::string lower = k.prefix.substr(0, k.prefix.size() - info.version.size());
  lower[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lower[0])));
  k.tag = lower + "_" + info.version;
  const std::string base = "/" + GroupVersionPath(info.group, info.version);
  const std::string scope = info.namespaced ? base + "/namespaces/{namespace}" : base;
  const std::string collection = scope + "/" + info.plural;
  const std::string object = collection + "/{name}";
  const GroupVersionKind gvk = info.Gvk();
  const std::string list = ListName(info);
  const bool has_schema = !info.schema.empty() && schemas.Find(info.schema) != nullptr;
  const std::string schema = has_schema ? info.schema : "";

  // The collection: list, create, deletecollection.
  Json coll = Json::object();
  if (info.HasVerb("list")) {
    OpSpec op{"list", "list", "", info.namespaced, "", "list or watch objects of kind " + info.kind,
              gvk};
    op.params =
        QueryParams(flavor, {"allowWatchBookmarks", "continue", "fieldSelector", "labelSelector",
                             "limit", "resourceVersion", "resourceVersionMatch",
                             "sendInitialEvents", "timeoutSeconds", "watch"});
    op.responses = {{"200", has_schema ? list : ""}};
    coll["get"] = Operation(k, std::move(op));
  }
  if (info.HasVerb("create")) {
    OpSpec op{"create", "post", "", info.namespaced, "", "create " + Article(info.kind), gvk};
    op.body = has_schema ? Body::kObject : Body::kNone;
    op.body_schema = schema;
    op.params = QueryParams(flavor, {"dryRun", "fieldManager", "fieldValidation"});
    op.responses = {{"200", schema}, {"201", schema}, {"202", schema}};
    coll["post"] = Operation(k, std::move(op));
  }
  if (info.HasVerb("deletecollection")) {
    OpSpec op{"delete",     "deletecollection",
              "Collection", info.namespaced,
              "",           "delete collection of " + info.kind,
              gvk};
    op.body = Body::kDeleteOptions;
    op.params = QueryParams(
        flavor, {"continue", "dryRun", "fieldSelector", "gracePeriodSeconds", "labelSelector",
                 "limit", "orphanDependents", "propagationPolicy", "resourceVersion",
                 "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds"});
    op.responses = {{"200", kStatus}};
    coll["delete"] = Operation(k, std::move(op));
  }
  if (!coll.empty()) {
    coll["parameters"] = PathParams(flavor, info.kind, false, info.namespaced);
    paths[collection] = std::move(coll);
  }
  // Every namespace at once.
  if (info.namespaced && info.HasVerb("list")) {
    OpSpec op{
        "list", "list", "", false, "ForAllNamespaces", "list or watch objects of kind " + info.kind,
        gvk};
    op.responses = {{"200", has_schema ? list : ""}};
    Json item{{"get", Operation(k, std::move(op))}};
    Json params = QueryParams(
        flavor, {"allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit"});
    for (auto& p : PathParams(flavor, info.kind, false, false)) params.push_back(p);
    for (auto& p : QueryParams(flavor, {"resourceVersion", "resourceVersionMatch",
                                        "sendInitialEvents", "timeoutSeconds", "watch"})) {
      params.push_back(p);
    }
    item["parameters"] = std::move(params);
    paths[base + "/" + info.plural] = std::move(item);
  }

  // The object: read, replace, patch, delete.
  Json obj = Json::object();
  AddObjectOps(k, obj, info.verbs, schema, gvk, "", "");
  if (info.HasVerb("delete")) {
    OpSpec op{"delete", "delete", "", info.namespaced, "", "delete " + Article(info.kind), gvk};
    op.body = Body::kDeleteOptions;
    op.params = QueryParams(
        flavor, {"dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"});
    op.responses = {{"200", kStatus}, {"202", kStatus}};
    obj["delete"] = Operation(k, std::move(op));
  }
  if (!obj.empty()) {
    obj["parameters"] = PathParams(flavor, info.kind, true, info.namespaced);
    paths[object] = std::move(obj);
  }

  // Subresources with a schema: status, scale, ephemeralcontainers, eviction, binding, token...
  for (const SubresourceInfo& sub : info.subresources) {
    if (sub.name == "log" || sub.name == "exec" || sub.name == "attach" ||
        sub.name == "portforward" || sub.name == "proxy") {
      continue;
    }
    const TypeSchema* type = schemas.FindByGvk(sub.response);
    if (type == nullptr) continue;
    Json item = Json::object();
    std::string suffix = Capitalize(sub.name);
    std::string what = sub.name + " of ";
    AddObjectOps(k, item, sub.verbs, type->name, sub.response, what, suffix);
    if (std::find(sub.verbs.begin(), sub.verbs.end(), "create") != sub.verbs.end()) {
      OpSpec op{"create",        "post", "",
                info.namespaced, suffix, "create " + sub.name + " of " + Article(info.kind),
                sub.response};
      op.body = Body::kObject;
      op.body_schema = type->name;
      op.params = QueryParams(flavor, {"dryRun", "fieldManager", "fieldValidation"});
      op.responses = {{"200", type->name}, {"201", type->name}, {"202", type->name}};
      item["post"] = Operation(k, std::move(op));
    }
    if (item.empty()) continue;
    Json params = PathParams(flavor, sub.response.kind, true, info.namespaced);
    params[0]["description"] = "name of the " + sub.response.kind;
    item["parameters"] = std::move(params);
    paths[object + "/" + sub.name] = std::move(item);
  }
}

}  // namespace minik::openapi
