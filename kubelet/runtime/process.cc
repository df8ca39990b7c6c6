#include "kubelet/runtime/process.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "kubelet/runtime/seccomp.h"
#include "kubelet/runtime/sys.h"
#include "kubelet/runtime/user.h"

namespace minik::rt {
namespace {

bool HasEnv(const std::vector<std::string>& env, const std::string& key) {
  for (const std::string& e : env) {
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') {
      return true;
    }
  }
  return false;
}

std::string GetEnv(const std::vector<std::string>& env, const std::string& key) {
  for (const std::string& e : env) {
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=') {
      return e.substr(key.size() + 1);
    }
  }
  return "";
}

std::string ExecError(const std::string& name, int err) {
  if (err == ENOENT && name.find('/') != std::string::npos) {
    return "exec: \"" + name + "\": stat " + name + ": no such file or directory";
  }
  std::string text = std::strerror(err);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "exec: \"" + name + "\": " + text;
}

}  // namespace

void ResetSignals() {
  struct sigaction sa = {};
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &sa, nullptr);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

std::string SecureAndExec(const ProcessPlan& plan) {
  if (plan.argv.empty() || plan.argv[0].empty()) return "no command specified";
  if (plan.seccomp && !plan.no_new_privs) {
    Status st = LoadSeccompFilter(*plan.seccomp);
    if (!st.ok()) return st.message();
  }
  Status st = DropBoundingSet(plan.caps);
  if (!st.ok()) return st.message();

  std::string passwd, group;
  if (auto p = ReadFile("/etc/passwd"); p.ok()) passwd = std::move(*p);
  if (auto g = ReadFile("/etc/group"); g.ok()) group = std::move(*g);
  UserIds ids = ResolveUser(plan.uid, plan.gid, plan.supplemental_groups, passwd, group);
  st = SwitchUser(ids);
  if (!st.ok()) return st.message();
  st = SetProcessCapabilities(plan.caps);
  if (!st.ok()) return st.message();
  ::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);

  std::vector<std::string> env = plan.env;
  if (!HasEnv(env, "PATH")) env.push_back(std::string("PATH=") + kDefaultPath);
  if (!HasEnv(env, "HOSTNAME") && !plan.hostname.empty()) env.push_back("HOSTNAME=" + plan.hostname);
  if (!HasEnv(env, "HOME")) env.push_back("HOME=" + ids.home);

  const std::string cwd = plan.cwd.empty() ? "/" : plan.cwd;
  if (::chdir(cwd.c_str()) != 0) {
    return "chdir to the working directory \"" + cwd + "\": " + std::strerror(errno);
  }
  if (plan.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    return std::string("set no_new_privs: ") + std::strerror(errno);
  }
  if (plan.seccomp && plan.no_new_privs) {
    st = LoadSeccompFilter(*plan.seccomp);
    if (!st.ok()) return st.message();
  }

  std::vector<char*> argv, envp;
  for (const std::string& a : plan.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  const std::string& name = plan.argv[0];
  if (name.find('/') != std::string::npos) {
    ::execve(name.c_str(), argv.data(), envp.data());
    return ExecError(name, errno);
  }
  int saved = ENOENT;
  for (const std::string& dir : Split(GetEnv(env, "PATH"), ':')) {
    std::string path = dir + "/" + name;
    ::execve(path.c_str(), argv.data(), envp.data());
    if (errno == EACCES) saved = EACCES;
    else if (errno != ENOENT && errno != ENOTDIR) return ExecError(name, errno);
  }
  if (saved == EACCES) return ExecError(name, EACCES);
  return "exec: \"" + name + "\": executable file not found in $PATH";
}

}  // namespace minik::rt
