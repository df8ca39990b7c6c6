// CEL (Common Expression Language) for CustomResourceDefinition validation rules
// (`x-kubernetes-validations`): the subset of cel-spec that such rules use, plus the string
// functions Kubernetes adds (cel-go ext.Strings: lowerAscii, split, substring, ...).
//
// A hand-written parser builds an AST once (Compile); a tree-walking evaluator runs it over
// JSON values (Evaluate). Unlike Kubernetes there is no type checker against the OpenAPI
// schema: type mismatches that upstream rejects when the CRD is written surface here when the
// rule is evaluated, as a "found no matching overload" error.
//
// Bounds against hostile rules: nesting deeper than 100 levels is rejected by Compile, and an
// evaluation that exceeds 1,000,000 cost units (about one per node evaluated, plus a tenth per
// byte of strings and lists built) fails with "operation cancelled: actual cost limit exceeded".
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/json.h"
#include "api/status.h"

namespace minik::cel {

// A compiled expression: immutable, safe to evaluate from several threads at once.
class Program;

// Parses an expression and resolves its identifiers and functions. Errors are Code::kInvalid,
// worded as upstream reports them: "compilation failed: ERROR: <input>:1:6: Syntax error: ...",
// followed by the source line and a caret.
StatusOr<std::shared_ptr<const Program>> Compile(std::string_view expression);
// The same with other top-level variables than self and oldSelf (ValidatingAdmissionPolicy:
// object, oldObject, request, params, namespaceObject, variables).
StatusOr<std::shared_ptr<const Program>> Compile(std::string_view expression,
                                                 const std::vector<std::string>& variables);

// True when the expression refers to `oldSelf`: a transition rule, which Kubernetes evaluates
// only on update and only when an old value exists at the same path.
bool UsesOldSelf(const Program& program);

// Evaluates with `self` (and `oldSelf` when old_self != nullptr) bound to JSON values: JSON
// integers are CEL ints, other numbers doubles, objects maps, arrays lists. The result comes
// back as JSON (a uint as an unsigned number, bytes as a string). A runtime error is a
// Code::kInvalid Status with a CEL-like message ("no such key: color", "division by zero").
StatusOr<Json> Evaluate(const Program& program, const Json& self, const Json* old_self);

// As Evaluate, for validation rules: a result other than a bool is an error.
StatusOr<bool> EvaluateRule(const Program& program, const Json& self, const Json* old_self);

// Evaluates a program compiled with `variables`, binding each name to its JSON value. A
// declared variable that is absent here (or a null pointer) is an error where the
// expression reads it ("no such attribute: params").
StatusOr<Json> EvaluateWith(const Program& program,
                            const std::map<std::string, const Json*>& variables);

}  // namespace minik::cel
