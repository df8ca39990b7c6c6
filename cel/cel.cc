// Compile and Evaluate: the public entry points over the parser and the evaluator.
#include "cel/cel.h"

#include <exception>

#include "cel/eval.h"
#include "cel/lexer.h"
#include "cel/parser.h"

namespace minik::cel {

class Program {
 public:
  std::string source;
  std::unique_ptr<Expr> root;
  bool uses_old_self = false;
  std::vector<std::string> variables;  // the declared top-level variables
  RegexCache regexes;  // read-only after Compile: shared by concurrent evaluations
};

namespace {

// Finds `matches` calls with a literal pattern and compiles them once; an invalid literal
// pattern fails compilation, as cel-go reports it when planning the program.
Status CollectRegexes(const Expr& e, const std::string& source, RegexCache& out) {
  if (e.kind == ExprKind::kCall && e.fn == Fn::kMatches && e.args.size() == 2 &&
      e.args[1]->kind == ExprKind::kLiteral && e.args[1]->literal.IsString()) {
    const std::string& pattern = e.args[1]->literal.AsString();
    if (!out.contains(pattern)) {
      StatusOr<std::shared_ptr<const std::regex>> re = CompileRegex(pattern);
      if (!re.ok()) return CompileError(source, e.args[1]->pos, re.status().message());
      out.emplace(pattern, *re);
    }
  }
  for (const auto& a : e.args) MINIK_RETURN_IF_ERROR(CollectRegexes(*a, source, out));
  return Status::Ok();
}

}  // namespace

StatusOr<std::shared_ptr<const Program>> Compile(std::string_view expression) {
  return Compile(expression, {"self", "oldSelf"});
}

StatusOr<std::shared_ptr<const Program>> Compile(std::string_view expression,
                                                 const std::vector<std::string>& variables) {
  try {
    StatusOr<ParseResult> parsed = Parse(expression, variables);
    if (!parsed.ok()) return parsed.status();
    auto program = std::make_shared<Program>();
    program->source = std::string(expression);
    program->root = std::move(parsed->root);
    program->uses_old_self = parsed->uses_old_self;
    program->variables = variables;
    MINIK_RETURN_IF_ERROR(CollectRegexes(*program->root, program->source, program->regexes));
    return std::shared_ptr<const Program>(std::move(program));
  } catch (const std::exception& e) {
    // Only allocation failures can get here; the parser itself reports errors as values.
    return Status(Code::kInvalid, std::string("compilation failed: ") + e.what());
  }
}

bool UsesOldSelf(const Program& program) { return program.uses_old_self; }

namespace {

// Evaluates and hands the result to `finish` inside the try block: converting a result to JSON
// reads the caller's JSON too.
template <typename T, typename F>
StatusOr<T> Run(const Program& program, const Json& self, const Json* old_self, F finish,
                const std::map<std::string, const Json*>* globals = nullptr) {
  try {
    EvalContext ctx;
    ctx.self = FromJson(self);
    if (old_self) {
      ctx.old_self = FromJson(*old_self);
      ctx.has_old_self = true;
    }
    if (globals) {
      for (const std::string& name : program.variables) {
        auto it = globals->find(name);
        if (it != globals->end() && it->second) {
          ctx.globals.emplace_back(name, FromJson(*it->second));
        } else {
          ctx.unbound.push_back(name);
        }
      }
    }
    ctx.regexes = &program.regexes;
    StatusOr<Value> v = Eval(*program.root, ctx);
    if (!v.ok()) return v.status();
    return finish(*v);
  } catch (const std::exception& e) {
    // nlohmann::json or std::regex throwing past the evaluator is a bug; keep it a value.
    return Status(Code::kInvalid, std::string("internal error: ") + e.what());
  }
}

}  // namespace

StatusOr<Json> Evaluate(const Program& program, const Json& self, const Json* old_self) {
  return Run<Json>(program, self, old_self,
                   [](const Value& v) -> StatusOr<Json> { return ToJson(v); });
}

StatusOr<bool> EvaluateRule(const Program& program, const Json& self, const Json* old_self) {
  return Run<bool>(program, self, old_self, [](const Value& v) -> StatusOr<bool> {
    if (!v.IsBool()) {
      return Status(Code::kInvalid,
                    "cel expression must evaluate to a bool, not " + TypeName(v));
    }
    return v.AsBool();
  });
}

StatusOr<Json> EvaluateWith(const Program& program,
                            const std::map<std::string, const Json*>& variables) {
  static const Json kNull;
  return Run<Json>(
      program, kNull, nullptr, [](const Value& v) -> StatusOr<Json> { return ToJson(v); },
      &variables);
}

}  // namespace minik::cel
