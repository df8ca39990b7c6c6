#include "cmd/flags.h"

#include <gtest/gtest.h>

namespace minik {
namespace {

StatusOr<CliArgs> Parse(std::vector<std::string> args) { return ParseArgs(args); }

TEST(Flags, Defaults) {
  auto a = Parse({"start"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->command, "start");
  EXPECT_EQ(a->profile, "minik");
  EXPECT_FALSE(a->ephemeral);
  EXPECT_EQ(a->simulated_nodes, 0);
}

TEST(Flags, StartFlags) {
  auto a = Parse({"start", "--profile", "dev", "--ephemeral", "--simulated-nodes", "3"});
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->profile, "dev");
  EXPECT_TRUE(a->ephemeral);
  EXPECT_EQ(a->simulated_nodes, 3);
  auto b = Parse({"--profile=ci", "start", "--simulated-nodes=2"});
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->profile, "ci");
  EXPECT_EQ(b->simulated_nodes, 2);
  auto d = Parse({"start", "--api-port", "9443", "-o", "json"});
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->api_port, 9443);
  EXPECT_TRUE(d->json);
  EXPECT_FALSE(Parse({"start", "--output=text"})->json);
  auto p = Parse({"profile", "list", "--output", "json"});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->rest, (std::vector<std::string>{"list"}));
  EXPECT_TRUE(p->json);
  EXPECT_EQ(Parse({"completion", "bash"})->rest, (std::vector<std::string>{"bash"}));
  auto c = Parse({"start", "-p", "x"});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->profile, "x");
}

TEST(Flags, OtherCommands) {
  EXPECT_TRUE(Parse({"delete", "--all"})->all);
  EXPECT_TRUE(Parse({"logs", "-f"})->follow);
  EXPECT_TRUE(Parse({"logs", "--follow"})->follow);
  auto k = Parse({"kubeconfig", "--user", "alice", "--group", "dev", "--group=qa"});
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->user, "alice");
  EXPECT_EQ(k->groups, (std::vector<std::string>{"dev", "qa"}));
  for (const char* cmd : {"stop", "status", "server", "version"}) {
    EXPECT_TRUE(Parse({cmd}).ok()) << cmd;
  }
  auto img = Parse({"image", "load", "-", "--whatever"});
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->rest, (std::vector<std::string>{"load", "-", "--whatever"}));
}

TEST(Flags, Help) {
  EXPECT_EQ(Parse({"--help"})->command, "help");
  EXPECT_EQ(Parse({"-h"})->command, "help");
  EXPECT_EQ(Parse({"help"})->command, "help");
  auto a = Parse({"start", "--help"});
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->help);
}

TEST(Flags, UsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string reason;
  } cases[] = {
      {{}, "no command"},
      {{"strat"}, "unknown command \"strat\""},
      {{"start", "--bogus"}, "unknown flag --bogus for start"},
      {{"stop", "--ephemeral"}, "unknown flag --ephemeral for stop"},
      {{"start", "--profile"}, "needs a value"},
      {{"start", "--ephemeral=yes"}, "takes no value"},
      {{"start", "--simulated-nodes", "x"}, "--simulated-nodes must be"},
      {{"start", "--simulated-nodes", "-1"}, "--simulated-nodes must be"},
      {{"start", "--simulated-nodes", "1000000"}, "--simulated-nodes must be"},
      {{"start", "--simulated-nodes", ""}, "--simulated-nodes must be"},
      {{"start", "extra"}, "unexpected argument \"extra\""},
      {{"start", "--profile", "Bad_Name"}, "invalid profile name"},
      {{"start", "--profile", ""}, "invalid profile name"},
      {{"start", "--profile", "-x"}, "invalid profile name"},
      {{"start", "--profile", std::string(64, 'a')}, "invalid profile name"},
      {{"start", "--profile", "../etc"}, "invalid profile name"},
      {{"kubeconfig", "--group", "g"}, "--group needs --user"},
      {{"start", "--api-port", "80"}, "--api-port must be a port from 1024 to 65535"},
      {{"start", "--api-port", "70000"}, "--api-port must be"},
      {{"start", "--api-port", "8443x"}, "--api-port must be"},
      {{"status", "--output", "yaml"}, "--output must be json or text"},
      {{"stop", "-o", "json"}, "unknown flag -o for stop"},
      {{"profile"}, "profile needs a subcommand"},
      {{"profile", "rm"}, "unknown profile subcommand \"rm\""},
      {{"profile", "list", "x"}, "unknown profile subcommand"},
      {{"completion"}, "completion needs a shell"},
      {{"completion", "fish"}, "unsupported shell \"fish\""},
      {{"kubeconfig", "--user="}, "--user must not be empty"},
  };
  for (const auto& c : cases) {
    auto a = Parse(c.args);
    ASSERT_FALSE(a.ok()) << c.reason;
    EXPECT_EQ(a.status().code(), Code::kBadRequest);
    EXPECT_NE(a.status().message().find(c.reason), std::string::npos)
        << a.status().message() << " vs " << c.reason;
  }
}

}  // namespace
}  // namespace minik
