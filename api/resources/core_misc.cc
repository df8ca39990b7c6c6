// core/v1 Namespace, Endpoints, Event, LimitRange, ResourceQuota, PodTemplate and Binding.
#include <algorithm>
#include <set>

#include "api/resources/column_docs.h"
#include "api/resources/common.h"
#include "api/resources/pod_spec.h"
#include "api/resources/quantity.h"
#include "api/resources/resources.h"

namespace minik::res {
namespace {

std::optional<std::string> NoFields(const Json&, const std::string&) { return std::nullopt; }

// ---- namespaces ------------------------------------------------------------------------

void PrepareCreateNamespace(Json& ns) {
  Json& spec = Obj(ns, "spec");
  Json fin = At(spec, {"finalizers"});
  if (!fin.is_array()) fin = Json::array();
  if (std::find(fin.begin(), fin.end(), Json("kubernetes")) == fin.end()) fin.push_back("kubernetes");
  spec["finalizers"] = fin;
}

void PrepareUpdateNamespace(Json& ns, const Json& old) {
  // Finalizers change only through /finalize.
  Json& spec = Obj(ns, "spec");
  const Json& fin = At(old, {"spec", "finalizers"});
  if (fin.is_null()) {
    spec.erase("finalizers");
  } else {
    spec["finalizers"] = fin;
  }
}

void DefaultNamespace(Json& ns) {
  std::string name = Name(ns);
  if (!name.empty()) Obj(Obj(ns, "metadata"), "labels")["kubernetes.io/metadata.name"] = name;
  if (ns.contains("status") && ns["status"].is_object()) SetDefault(ns["status"], "phase", "Active");
}

void ValidateNamespace(Causes& out, const Json& ns) {
  const Json& fin = Arr(ns, {"spec", "finalizers"});
  for (size_t i = 0; i < fin.size(); ++i) {
    std::string f = Str(fin[i]);
    for (const auto& m : IsQualifiedName(f))
      out.push_back(InvalidCause("spec.finalizers[" + std::to_string(i) + "]", GoQuote(f), m));
  }
  std::string phase = Str(At(ns, {"status", "phase"}));
  if (!phase.empty() && phase != "Active" && phase != "Terminating")
    out.push_back(NotSupportedCause("status.phase", phase, {"Active", "Terminating"}));
}

// ---- endpoints -------------------------------------------------------------------------

std::string FormatEndpoints(const Json& ep) {
  const Json& subsets = Arr(ep, {"subsets"});
  if (subsets.empty()) return "<none>";
  std::vector<std::string> list;
  const size_t max = 3;
  bool more = false;
  size_t count = 0;
  for (const Json& ss : subsets) {
    const Json& addrs = Arr(ss, {"addresses"});
    const Json& ports = Arr(ss, {"ports"});
    if (ports.empty()) {
      count += addrs.size();
      for (const Json& a : addrs) {
        if (list.size() == max) {
          more = true;
          break;
        }
        list.push_back(Str(At(a, {"ip"})));
      }
      continue;
    }
    for (const Json& p : ports) {
      count += addrs.size();
      for (const Json& a : addrs) {
        if (list.size() == max) {
          more = true;
          break;
        }
        std::string ip = Str(At(a, {"ip"}));
        if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
        list.push_back(ip + ":" + std::to_string(Int(At(p, {"port"})).value_or(0)));
      }
    }
  }
  std::string ret;
  for (const auto& s : list) ret += (ret.empty() ? "" : ",") + s;
  if (more) return ret + " + " + std::to_string(count - max) + " more...";
  return ret;
}

void DefaultEndpoints(Json& ep) {
  if (!ep.contains("subsets") || !ep["subsets"].is_array()) return;
  for (Json& ss : ep["subsets"]) {
    if (!ss.is_object() || !ss.contains("ports") || !ss["ports"].is_array()) continue;
    for (Json& p : ss["ports"])
      if (p.is_object()) SetDefault(p, "protocol", "TCP");
  }
}

void ValidateEndpoints(Causes& out, const Json& ep) {
  const Json& subsets = Arr(ep, {"subsets"});
  for (size_t i = 0; i < subsets.size(); ++i) {
    std::string sp = "subsets[" + std::to_string(i) + "]";
    for (const char* kind : {"addresses", "notReadyAddresses"}) {
      const Json& addrs = Arr(subsets[i], {kind});
      for (size_t j = 0; j < addrs.size(); ++j) {
        std::string ip = Str(At(addrs[j], {"ip"}));
        std::string ap = sp + "." + kind + "[" + std::to_string(j) + "].ip";
        if (ip.empty()) {
          out.push_back(RequiredCause(ap));
        } else if (ip.find_first_not_of("0123456789.:abcdefABCDEF") != std::string::npos ||
                   (ip.find('.') == std::string::npos && ip.find(':') == std::string::npos)) {
          out.push_back(InvalidCause(ap, GoQuote(ip), "must be a valid IP address"));
        }
      }
    }
    const Json& ports = Arr(subsets[i], {"ports"});
    for (size_t j = 0; j < ports.size(); ++j) {
      std::string pp = sp + ".ports[" + std::to_string(j) + "]";
      const Json& port = At(ports[j], {"port"});
      auto n = Int(port);
      if (!n || *n < 1 || *n > 65535)
        out.push_back(InvalidCause(pp + ".port", n ? std::to_string(*n) : GoScalar(port),
                                   "must be between 1 and 65535, inclusive"));
      std::string proto = Str(At(ports[j], {"protocol"}));
      if (proto != "TCP" && proto != "UDP" && proto != "SCTP")
        out.push_back(NotSupportedCause(pp + ".protocol", proto, {"SCTP", "TCP", "UDP"}));
    }
  }
}

// ---- events ----------------------------------------------------------------------------

std::vector<Json> EventCells(const Json& ev, SystemTime now) {
  std::string first = Since(At(ev, {"firstTimestamp"}), now);
  if (!At(ev, {"firstTimestamp"}).is_string()) first = Since(At(ev, {"eventTime"}), now);
  std::string last = Since(At(ev, {"lastTimestamp"}), now);
  if (!At(ev, {"lastTimestamp"}).is_string()) last = first;
  int64_t count = Int(At(ev, {"count"})).value_or(0);
  if (At(ev, {"series"}).is_object()) {
    last = Since(At(ev, {"series", "lastObservedTime"}), now);
    count = Int(At(ev, {"series", "count"})).value_or(0);
  } else if (count == 0) {
    count = 1;
  }
  std::string kind = Str(At(ev, {"involvedObject", "kind"}));
  std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
  std::string name = Str(At(ev, {"involvedObject", "name"}));
  std::string target = name.empty() ? kind : kind + "/" + name;
  std::string component = Str(At(ev, {"source", "component"}));
  if (component.empty()) component = Str(At(ev, {"reportingComponent"}));
  std::string host = Str(At(ev, {"source", "host"}));
  if (host.empty()) host = Str(At(ev, {"reportingInstance"}));
  std::string source = host.empty() ? component : component + ", " + host;
  std::string message = Str(At(ev, {"message"}));
  auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!message.empty() && ws(message.back())) message.pop_back();
  size_t lead = 0;
  while (lead < message.size() && ws(message[lead])) ++lead;
  message = message.substr(lead);
  return {last, Str(At(ev, {"type"})), Str(At(ev, {"reason"})), target,
          Str(At(ev, {"involvedObject", "fieldPath"})), source, message, first, count, Name(ev)};
}

std::optional<std::string> EventField(const Json& ev, const std::string& field) {
  static const char* kInvolved[] = {"kind", "namespace", "name", "uid", "apiVersion",
                                    "resourceVersion", "fieldPath"};
  for (const char* f : kInvolved)
    if (field == std::string("involvedObject.") + f) return Str(At(ev, {"involvedObject", f}));
  if (field == "reason") return Str(At(ev, {"reason"}));
  if (field == "reportingComponent") return Str(At(ev, {"reportingComponent"}));
  if (field == "type") return Str(At(ev, {"type"}));
  if (field == "source") {
    std::string s = Str(At(ev, {"source", "component"}));
    return s.empty() ? Str(At(ev, {"reportingComponent"})) : s;
  }
  return std::nullopt;
}

void ValidateEvent(Causes& out, const Json& ev) {
  std::string ns = Namespace(ev);
  const Json& ins = At(ev, {"involvedObject", "namespace"});
  std::string involved = Str(ins);
  if (involved.empty()) {
    if (!ns.empty() && ns != "default")
      out.push_back(InvalidCause("involvedObject.namespace", GoQuote(involved),
                                 "does not match event.namespace"));
  } else if (ns != involved) {
    out.push_back(InvalidCause("involvedObject.namespace", GoQuote(involved),
                               "does not match event.namespace"));
  }
}

// ---- limit ranges, quotas --------------------------------------------------------------

void DefaultLimitRange(Json& lr) {
  Json& spec = Obj(lr, "spec");
  if (!spec.contains("limits") || !spec["limits"].is_array()) return;
  for (Json& item : spec["limits"]) {
    if (!item.is_object()) continue;
    for (const char* list : {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"})
      CanonicalizeResourceListAt(item, {list});
    if (Str(At(item, {"type"})) != "Container") continue;
    Json def = At(item, {"default"}).is_object() ? item["default"] : Json::object();
    Json req = At(item, {"defaultRequest"}).is_object() ? item["defaultRequest"] : Json::object();
    const Json& max = At(item, {"max"});
    if (max.is_object())
      for (auto it = max.begin(); it != max.end(); ++it)
        if (!def.contains(it.key())) def[it.key()] = *it;
    for (auto it = def.begin(); it != def.end(); ++it)
      if (!req.contains(it.key())) req[it.key()] = *it;
    const Json& min = At(item, {"min"});
    if (min.is_object())
      for (auto it = min.begin(); it != min.end(); ++it)
        if (!req.contains(it.key())) req[it.key()] = *it;
    if (!def.empty()) item["default"] = def;
    if (!req.empty()) item["defaultRequest"] = req;
  }
}

void ValidateLimitRange(Causes& out, const Json& lr) {
  const Json& limits = Arr(lr, {"spec", "limits"});
  for (size_t i = 0; i < limits.size(); ++i) {
    std::string type = Str(At(limits[i], {"type"}));
    if (type.empty()) out.push_back(RequiredCause("spec.limits[" + std::to_string(i) + "].type"));
  }
}

std::string QuantityText(const Json& q) {
  if (q.is_string()) return q.get<std::string>();
  if (auto i = Int(q)) return std::to_string(*i);
  return "0";
}

std::vector<Json> QuotaCells(const Json& quota, SystemTime now) {
  std::string request, limit;
  const Json& hard = At(quota, {"status", "hard"});
  if (hard.is_object()) {
    for (auto it = hard.begin(); it != hard.end(); ++it) {
      std::string used = QuantityText(At(quota, {"status", "used", it.key().c_str()}));
      std::string entry = it.key() + ": " + used + "/" + QuantityText(*it);
      std::string& column = it.key().rfind("limits.", 0) == 0 ? limit : request;
      column += (column.empty() ? "" : ", ") + entry;
    }
  }
  return {request, limit, AgeOf(quota, now)};
}

}  // namespace

ResourceInfo Namespaces() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "Namespace";
  r.plural = "namespaces";
  r.singular = "namespace";
  r.short_names = {"ns"};
  r.namespaced = false;
  r.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  r.subresources = {{"finalize", {"", "v1", "Namespace"}, {"update"}},
                    StatusSubresource("", "v1", "Namespace")};
  r.schema = SchemaName("core", "v1", "Namespace");
  r.name_rule = NameRule::kDns1123Label;
  r.columns = {Col("Status", "string", "The status of the namespace"), AgeCol()};
  r.cells = [](const Json& ns, SystemTime now) -> std::vector<Json> {
    return {Str(At(ns, {"status", "phase"})), AgeOf(ns, now)};
  };
  r.fields = [](const Json& ns, const std::string& field) -> std::optional<std::string> {
    if (field == "status.phase") return Str(At(ns, {"status", "phase"}));
    return std::nullopt;
  };
  StrategySpec s;
  s.empty_status = Json{{"phase", "Active"}};
  s.prepare_create = PrepareCreateNamespace;
  s.prepare_update = PrepareUpdateNamespace;
  s.defaults = DefaultNamespace;
  s.validate = ValidateNamespace;
  // ValidateNamespaceStatusUpdate: the phase follows the deletion timestamp.
  s.validate_status = [](Causes& out, const Json& ns, const Json&) {
    std::string phase = Str(At(ns, {"status", "phase"}));
    if (phase.empty()) phase = "Active";  // SetDefaults_NamespaceStatus
    if (At(ns, {"metadata", "deletionTimestamp"}).is_null()) {
      if (phase != "Active") {
        out.push_back(InvalidValue("status.Phase", phase,
                                   "may only be 'Active' if `deletionTimestamp` is empty"));
      }
    } else if (phase != "Terminating") {
      out.push_back(InvalidValue("status.Phase", phase,
                                 "may only be 'Terminating' if `deletionTimestamp` is not empty"));
    }
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo Endpoints() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "Endpoints";
  r.plural = "endpoints";
  r.singular = "endpoints";
  r.short_names = {"ep"};
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("core", "v1", "Endpoints");
  r.columns = {Col("Endpoints", "string", Doc("Endpoints.subsets")), AgeCol()};
  r.cells = [](const Json& ep, SystemTime now) -> std::vector<Json> {
    return {FormatEndpoints(ep), AgeOf(ep, now)};
  };
  r.fields = NoFields;
  StrategySpec s;
  s.defaults = DefaultEndpoints;
  s.validate = ValidateEndpoints;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo Events() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "Event";
  r.plural = "events";
  r.singular = "event";
  r.short_names = {"ev"};
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("core", "v1", "Event");
  r.full_row = true;
  r.columns = {
      Col("Last Seen", "string", Doc("Event.lastTimestamp")),
      Col("Type", "string", Doc("Event.type")),
      Col("Reason", "string", Doc("Event.reason")),
      Col("Object", "string", Doc("Event.involvedObject")),
      Col("Subobject", "string", Doc("ObjectReference.fieldPath"), 1),
      Col("Source", "string", Doc("Event.source"), 1),
      Col("Message", "string", Doc("Event.message")),
      Col("First Seen", "string", Doc("Event.firstTimestamp"), 1),
      Col("Count", "string", Doc("Event.count"), 1),
      Col("Name", "string", kNameDescription, 1, "name"),
  };
  r.cells = EventCells;
  r.fields = EventField;
  StrategySpec s;
  s.validate = ValidateEvent;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo LimitRanges() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "LimitRange";
  r.plural = "limitranges";
  r.singular = "limitrange";
  r.short_names = {"limits"};
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("core", "v1", "LimitRange");
  DefaultTable(r);
  r.fields = NoFields;
  StrategySpec s;
  s.defaults = DefaultLimitRange;
  s.validate = ValidateLimitRange;
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo ResourceQuotas() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "ResourceQuota";
  r.plural = "resourcequotas";
  r.singular = "resourcequota";
  r.short_names = {"quota"};
  r.verbs = kStandardVerbs;
  r.subresources = {StatusSubresource("", "v1", "ResourceQuota")};
  r.schema = SchemaName("core", "v1", "ResourceQuota");
  r.columns = {
      Col("Request", "string",
          "Request represents a minimum amount of cpu/memory that a container may consume."),
      Col("Limit", "string",
          "Limits control the maximum amount of cpu/memory that a container may use "
          "independent of contention on the node."),
      AgeCol(),
  };
  r.cells = QuotaCells;
  r.fields = NoFields;
  StrategySpec s;
  s.empty_status = Json::object();
  s.defaults = [](Json& quota) {
    CanonicalizeResourceListAt(quota, {"spec", "hard"});
    CanonicalizeResourceListAt(quota, {"status", "hard"});
    CanonicalizeResourceListAt(quota, {"status", "used"});
  };
  // ValidateResourceQuotaSpec's per-resource checks: a qualified name and a non-negative
  // quantity (the standard-resource and integer checks are not made here).
  s.validate = [](Causes& out, const Json& quota) {
    const Json& hard = At(quota, {"spec", "hard"});
    if (!hard.is_object()) return;
    for (auto it = hard.begin(); it != hard.end(); ++it) {
      std::string field = "spec.hard[" + it.key() + "]";
      auto name_errors = IsQualifiedName(it.key());
      for (const auto& m : name_errors) out.push_back(InvalidCause(field, GoQuote(it.key()), m));
      std::string text = it->is_string() ? it->get<std::string>() : it->dump();
      auto q = ParseQuantity(text);
      if (!q) {
        out.push_back(InvalidCause(field, GoQuote(text),
                                   "quantities must match the regular expression "
                                   "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      } else if (*q < 0) {
        out.push_back(InvalidCause(field, GoQuote(CanonicalQuantity(text).value_or(text)),
                                   "must be greater than or equal to 0"));
      }
    }
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo PodTemplates() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "PodTemplate";
  r.plural = "podtemplates";
  r.singular = "podtemplate";
  r.verbs = kStandardVerbs;
  r.schema = SchemaName("core", "v1", "PodTemplate");
  r.full_row = true;
  r.columns = {
      Col("Name", "string", kNameDescription, 0, "name"),
      Col("Containers", "string", "Names of each container in the template."),
      Col("Images", "string", "Images referenced by each container in the template."),
      Col("Pod Labels", "string", "The labels for the pod template."),
  };
  r.cells = [](const Json& pt, SystemTime) -> std::vector<Json> {
    auto [names, images] = ContainerCells(At(pt, {"template", "spec", "containers"}));
    return {Name(pt), names, images, FormatLabels(At(pt, {"template", "metadata", "labels"}))};
  };
  r.fields = NoFields;
  StrategySpec s;
  // podTemplateStrategy: generation 1 on create, +1 when the template changes.
  s.generation = Generation::kContent;
  s.defaults = [](Json& pt) { DefaultPodTemplate(Obj(pt, "template")); };
  s.validate = [](Causes& out, const Json& pt) {
    ValidatePodTemplate(out, At(pt, {"template"}), "template");
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

ResourceInfo Bindings() {
  ResourceInfo r;
  r.version = "v1";
  r.kind = "Binding";
  r.plural = "bindings";
  r.singular = "binding";
  r.verbs = {"create"};
  r.schema = SchemaName("core", "v1", "Binding");
  DefaultTable(r);
  r.fields = NoFields;
  StrategySpec s;
  s.validate = [](Causes& out, const Json& b) {
    std::string kind = Str(At(b, {"target", "kind"}));
    if (!kind.empty() && kind != "Node")
      out.push_back(NotSupportedCause("target.kind", kind, {"Node", "<empty>"}));
    if (Str(At(b, {"target", "name"})).empty()) out.push_back(RequiredCause("target.name"));
  };
  r.strategy = MakeStrategy(std::move(s));
  return r;
}

}  // namespace minik::res
