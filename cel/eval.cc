// The evaluator: a recursive walk over the tree, whose height the parser bounds (kMaxDepth).
// && and || evaluate both sides when the first is an error, so that `error || true` is true
// and `error && false` is false (CEL's commutative logical operators).
#include "cel/eval.h"

#include <cmath>

namespace minik::cel {
namespace {

Status CostExceeded() {
  return EvalError("operation cancelled: actual cost limit exceeded");
}

StatusOr<Value> EvalLogical(const Expr& e, EvalContext& ctx) {
  const bool is_and = e.fn == Fn::kAnd;
  // The value that decides the result: false for &&, true for ||.
  const bool decisive = !is_and;
  StatusOr<Value> left = Eval(*e.args[0], ctx);
  if (left.ok() && left->IsBool() && left->AsBool() == decisive) return left;
  if (ctx.cost > ctx.cost_limit) return left;
  StatusOr<Value> right = Eval(*e.args[1], ctx);
  if (right.ok() && right->IsBool() && right->AsBool() == decisive) return right;
  if (!left.ok()) return left;
  if (!right.ok()) return right;
  if (!left->IsBool() || !right->IsBool()) return NoOverload(e.fn, {*left, *right});
  return Value(!decisive);
}

// Kubernetes escapes object property names that are not CEL identifiers: `self.__dash__x`
// reads "-x", `self.__namespace__` reads "namespace" (apiserver/pkg/cel/escaping.go). Without
// the schema, a selection that finds no such key retries with the unescaped name.
std::optional<std::string> UnescapeProperty(const std::string& name) {
  if (name.find("__") == std::string::npos) return std::nullopt;
  static constexpr std::string_view kKeywords[] = {
      "true",   "false", "null",     "in",        "as",     "break", "const",
      "continue", "else", "for",     "function",  "if",     "import", "let",
      "loop",   "package", "namespace", "return", "var",    "void",  "while"};
  if (name.size() > 4 && name.starts_with("__") && name.ends_with("__")) {
    std::string_view inner(name.data() + 2, name.size() - 4);
    for (std::string_view k : kKeywords) {
      if (inner == k) return std::string(inner);
    }
  }
  static constexpr std::pair<std::string_view, std::string_view> kEscapes[] = {
      {"__underscores__", "__"}, {"__dot__", "."}, {"__dash__", "-"}, {"__slash__", "/"}};
  std::string out;
  bool changed = false;
  for (size_t i = 0; i < name.size();) {
    bool matched = false;
    for (const auto& [escaped, plain] : kEscapes) {
      if (std::string_view(name).substr(i).starts_with(escaped)) {
        out += plain;
        i += escaped.size();
        matched = changed = true;
        break;
      }
    }
    if (!matched) out += name[i++];
  }
  if (!changed) return std::nullopt;
  return out;
}

StatusOr<Value> EvalSelect(const Expr& e, EvalContext& ctx) {
  StatusOr<Value> target = Eval(*e.args[0], ctx);
  if (!target.ok()) return target;
  if (!target->IsMap()) {
    return EvalError("type '" + TypeName(*target) + "' does not support field selection");
  }
  std::optional<Value> v = MapGet(*target, Value(e.name));
  if (!v) {
    if (std::optional<std::string> plain = UnescapeProperty(e.name)) {
      v = MapGet(*target, Value(*std::move(plain)));
    }
  }
  if (e.test_only) return Value(v.has_value());
  if (!v) return EvalError("no such key: " + e.name);
  return *std::move(v);
}

StatusOr<Value> EvalIndex(const Expr& e, EvalContext& ctx) {
  StatusOr<Value> target = Eval(*e.args[0], ctx);
  if (!target.ok()) return target;
  StatusOr<Value> index = Eval(*e.args[1], ctx);
  if (!index.ok()) return index;
  if (target->IsList()) {
    const size_t size = ListSize(*target);
    int64_t i = 0;
    if (index->IsInt()) {
      i = index->AsInt();
    } else if (index->IsUint() && index->AsUint() <= static_cast<uint64_t>(INT64_MAX)) {
      i = static_cast<int64_t>(index->AsUint());
    } else if (index->IsDouble() && index->AsDouble() >= -9.2e18 &&
               index->AsDouble() <= 9.2e18 && index->AsDouble() == std::trunc(index->AsDouble())) {
      // A double index must be integral (cel-spec heterogeneous indexing).
      i = static_cast<int64_t>(index->AsDouble());
    } else {
      return EvalError("found no matching overload for '_[_]' applied to '(list, " +
                       TypeName(*index) + ")'");
    }
    if (i < 0 || static_cast<uint64_t>(i) >= size) {
      return EvalError("index '" + std::to_string(i) + "' out of range in list size '" +
                       std::to_string(size) + "'");
    }
    return ListAt(*target, static_cast<size_t>(i));
  }
  if (target->IsMap()) {
    std::optional<Value> v = MapGet(*target, *index);
    if (!v) {
      std::string key = index->IsString() ? index->AsString() : ToJson(*index).dump();
      return EvalError("no such key: " + key);
    }
    return *std::move(v);
  }
  return EvalError("found no matching overload for '_[_]' applied to '(" + TypeName(*target) +
                   ", " + TypeName(*index) + ")'");
}

StatusOr<Value> EvalIdent(const Expr& e, EvalContext& ctx) {
  for (auto it = ctx.vars.rbegin(); it != ctx.vars.rend(); ++it) {
    if (*it->first == e.name) return it->second;
  }
  for (const auto& [name, value] : ctx.globals) {
    if (name == e.name) return value;
  }
  for (const std::string& name : ctx.unbound) {
    if (name == e.name) return EvalError("no such attribute: " + name);
  }
  if (e.name == "self") return ctx.self;
  if (e.name == "oldSelf") {
    if (!ctx.has_old_self) return EvalError("no such attribute: oldSelf");
    return ctx.old_self;
  }
  return Value(TypeValue{e.name});
}

StatusOr<Value> EvalMacro(const Expr& e, EvalContext& ctx) {
  StatusOr<Value> range = Eval(*e.args[0], ctx);
  if (!range.ok()) return range;
  std::vector<Value> items;
  if (range->IsMap()) {
    items = MapKeys(*range);  // macros over maps range over the keys
  } else if (!range->IsList()) {
    return EvalError("found no matching overload for '" +
                     std::string(e.macro == MacroKind::kAll         ? "all"
                                 : e.macro == MacroKind::kExists    ? "exists"
                                 : e.macro == MacroKind::kExistsOne ? "exists_one"
                                 : e.macro == MacroKind::kFilter    ? "filter"
                                                                    : "map") +
                     "' applied to '(" + TypeName(*range) + ")'");
  }
  const size_t n = range->IsMap() ? items.size() : ListSize(*range);
  auto element = [&](size_t i) { return range->IsMap() ? items[i] : ListAt(*range, i); };

  std::optional<Status> deferred;  // all/exists: an error that a later element may override
  int64_t matches = 0;
  auto results = std::make_shared<ValueList>();
  ctx.vars.emplace_back(&e.name, Value());
  struct Pop {
    EvalContext& ctx;
    ~Pop() { ctx.vars.pop_back(); }
  } pop{ctx};
  for (size_t i = 0; i < n; ++i) {
    MINIK_RETURN_IF_ERROR(Charge(ctx, 1));
    ctx.vars.back().second = element(i);
    StatusOr<Value> r = Eval(*e.args[1], ctx);
    if (ctx.cost > ctx.cost_limit) return r;
    switch (e.macro) {
      case MacroKind::kAll:
      case MacroKind::kExists: {
        const bool decisive = e.macro == MacroKind::kExists;
        if (r.ok() && r->IsBool()) {
          if (r->AsBool() == decisive) return Value(decisive);
        } else if (!deferred) {
          deferred = r.ok() ? NoOverload(decisive ? Fn::kOr : Fn::kAnd, {*r}) : r.status();
        }
        break;
      }
      case MacroKind::kExistsOne:
        if (!r.ok()) return r;
        if (!r->IsBool()) return NoOverload(Fn::kCond, {*r});
        if (r->AsBool()) ++matches;
        break;
      case MacroKind::kMap:
        if (!r.ok()) return r;
        results->push_back(*std::move(r));
        break;
      case MacroKind::kFilter:
      case MacroKind::kMapFilter: {
        if (!r.ok()) return r;
        if (!r->IsBool()) return NoOverload(Fn::kCond, {*r});
        if (!r->AsBool()) break;
        if (e.macro == MacroKind::kFilter) {
          results->push_back(element(i));
          break;
        }
        StatusOr<Value> t = Eval(*e.args[2], ctx);
        if (!t.ok()) return t;
        results->push_back(*std::move(t));
        break;
      }
    }
  }
  switch (e.macro) {
    case MacroKind::kAll:
    case MacroKind::kExists:
      if (deferred) return *deferred;
      return Value(e.macro == MacroKind::kAll);
    case MacroKind::kExistsOne:
      return Value(matches == 1);
    default:
      return Value(std::shared_ptr<const ValueList>(std::move(results)));
  }
}

}  // namespace

Status Charge(EvalContext& ctx, int64_t units) {
  ctx.cost += units;
  if (ctx.cost > ctx.cost_limit) return CostExceeded();
  return Status::Ok();
}

StatusOr<Value> Eval(const Expr& e, EvalContext& ctx) {
  MINIK_RETURN_IF_ERROR(Charge(ctx, 1));
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.literal;
    case ExprKind::kIdent:
      return EvalIdent(e, ctx);
    case ExprKind::kSelect:
      return EvalSelect(e, ctx);
    case ExprKind::kIndex:
      return EvalIndex(e, ctx);
    case ExprKind::kMacro:
      return EvalMacro(e, ctx);
    case ExprKind::kList: {
      auto list = std::make_shared<ValueList>();
      list->reserve(e.args.size());
      for (const auto& a : e.args) {
        StatusOr<Value> v = Eval(*a, ctx);
        if (!v.ok()) return v;
        list->push_back(*std::move(v));
      }
      return Value(std::shared_ptr<const ValueList>(std::move(list)));
    }
    case ExprKind::kMap: {
      auto map = std::make_shared<ValueMap>();
      for (size_t i = 0; i + 1 < e.args.size(); i += 2) {
        StatusOr<Value> k = Eval(*e.args[i], ctx);
        if (!k.ok()) return k;
        if (!k->IsString() && !k->IsInt() && !k->IsUint() && !k->IsBool()) {
          return EvalError("unsupported key type: " + TypeName(*k));
        }
        StatusOr<Value> v = Eval(*e.args[i + 1], ctx);
        if (!v.ok()) return v;
        for (const auto& [existing, ignored] : *map) {
          if (Equal(existing, *k)) {
            return EvalError("Failed with repeated key: " + ToJson(*k).dump());
          }
        }
        map->emplace_back(*std::move(k), *std::move(v));
      }
      return Value(std::shared_ptr<const ValueMap>(std::move(map)));
    }
    case ExprKind::kCall:
      break;
  }
  if (e.fn == Fn::kAnd || e.fn == Fn::kOr) return EvalLogical(e, ctx);
  if (e.fn == Fn::kCond) {
    StatusOr<Value> c = Eval(*e.args[0], ctx);
    if (!c.ok()) return c;
    if (!c->IsBool()) return NoOverload(Fn::kCond, {*c});
    return Eval(*e.args[c->AsBool() ? 1 : 2], ctx);
  }
  std::vector<Value> args;
  args.reserve(e.args.size());
  for (const auto& a : e.args) {
    StatusOr<Value> v = Eval(*a, ctx);
    if (!v.ok()) return v;
    args.push_back(*std::move(v));
  }
  return CallFunction(e.fn, args, ctx);
}

}  // namespace minik::cel
