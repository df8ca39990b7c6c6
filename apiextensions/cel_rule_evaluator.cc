// x-kubernetes-validations rules evaluated with cel/cel.h; compiled programs are cached by
// rule text (a CRD's rules are compiled once, not per request).
#include <map>
#include <mutex>

#include "apiextensions/crd_serving.h"
#include "apiextensions/structural_schema.h"
#include "cel/cel.h"

namespace minik {
namespace {

class CelRuleEvaluator final : public RuleEvaluator {
 public:
  StatusOr<bool> Evaluate(const std::string& rule, const Json& self,
                          const Json* old_self) override {
    auto program = Compiled(rule);
    if (!program.ok()) return program.status();
    return cel::EvaluateRule(**program, self, old_self);
  }
  bool IsTransitionRule(const std::string& rule) override {
    auto program = Compiled(rule);
    return program.ok() && cel::UsesOldSelf(**program);
  }

 private:
  // Bounded: rules come from CRDs, which are few; a hostile stream of distinct rules only
  // empties the cache.
  static constexpr size_t kMaxCached = 4096;

  StatusOr<std::shared_ptr<const cel::Program>> Compiled(const std::string& rule) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = cache_.find(rule);
      if (it != cache_.end()) return it->second;
    }
    auto program = cel::Compile(rule);
    // StructuralSchema words a BadRequest as "rule compile error: ...".
    if (!program.ok()) return Status(Code::kBadRequest, program.status().message());
    std::lock_guard<std::mutex> lock(mu_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[rule] = *program;
    return *program;
  }

  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const cel::Program>> cache_;  // guarded by mu_
};

}  // namespace

std::shared_ptr<RuleEvaluator> NewCelRuleEvaluator() {
  return std::make_shared<CelRuleEvaluator>();
}

}  // namespace minik
