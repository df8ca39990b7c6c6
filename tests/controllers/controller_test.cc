#include "controllers/controller.h"

#include <atomic>

#include <gtest/gtest.h>

#include "api/fake_clock.h"

namespace minik {
namespace {

using std::chrono::milliseconds;

// Reconcile returns whatever the test scripted for the key.
class ScriptedController final : public QueueController {
 public:
  explicit ScriptedController(Clock& clock) : QueueController("scripted", clock, 2) {}
  StatusOr<ReconcileResult> Reconcile(const std::string& key) override {
    ++calls;
    if (key == "fail") return Internal("nope");
    if (key == "requeue") return ReconcileResult{true, milliseconds(0)};
    if (key == "later") return ReconcileResult{false, milliseconds(500)};
    return ReconcileResult{};
  }
  std::atomic<int> calls{0};
};

TEST(QueueControllerTest, OutcomesDriveTheQueue) {
  FakeClock clock;
  ScriptedController c(clock);
  for (const char* k : {"ok", "fail", "requeue", "later"}) c.queue().Add(k);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(c.ProcessNextItem());
  EXPECT_EQ(c.calls, 4);
  EXPECT_EQ(c.queue().NumRequeues("ok"), 0);
  EXPECT_EQ(c.queue().NumRequeues("fail"), 1);
  EXPECT_EQ(c.queue().NumRequeues("requeue"), 1);
  EXPECT_EQ(c.queue().NumRequeues("later"), 0);
  EXPECT_EQ(c.queue().NumWaiting(), 3u);
  EXPECT_EQ(c.queue().Len(), 0u);
  clock.Step(milliseconds(5));  // the first back-off
  ASSERT_TRUE(c.ProcessNextItem());
  ASSERT_TRUE(c.ProcessNextItem());
  EXPECT_EQ(c.queue().NumRequeues("fail"), 2);
  clock.Step(milliseconds(495));
  c.queue().ShutDown();
  EXPECT_FALSE(c.ProcessNextItem());  // delayed keys are dropped on shutdown
}

TEST(QueueControllerTest, WorkersRunAndStop) {
  FakeClock clock;
  ScriptedController c(clock);
  c.Run();
  c.Run();  // idempotent
  for (int i = 0; i < 100; ++i) c.queue().Add("k" + std::to_string(i));
  for (int i = 0; i < 5000 && c.calls < 100; ++i) std::this_thread::sleep_for(milliseconds(1));
  EXPECT_EQ(c.calls, 100);
  c.Stop();
  c.Stop();
}

}  // namespace
}  // namespace minik
