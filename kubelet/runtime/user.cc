#include "kubelet/runtime/user.h"

#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "kubelet/runtime/sys.h"

namespace minik::rt {

namespace {

// Splits a passwd/group line on ':' keeping empty fields.
std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> f;
  size_t start = 0;
  for (;;) {
    size_t c = line.find(':', start);
    f.push_back(line.substr(start, c == std::string::npos ? std::string::npos : c - start));
    if (c == std::string::npos) return f;
    start = c + 1;
  }
}

}  // namespace

UserIds ResolveUser(std::optional<int64_t> uid, std::optional<int64_t> gid,
                    const std::vector<int64_t>& supplemental, const std::string& passwd,
                    const std::string& group) {
  UserIds ids;
  ids.uid = static_cast<uid_t>(uid.value_or(0));
  std::string name;
  bool found = false;
  for (const std::string& line : Split(passwd, '\n')) {
    // name:x:uid:gid:gecos:home:shell (empty fields kept)
    std::vector<std::string> f = Fields(line);
    if (f.size() < 6 || f[2].empty()) continue;
    if (static_cast<uid_t>(std::strtoul(f[2].c_str(), nullptr, 10)) != ids.uid) continue;
    name = f[0];
    ids.gid = static_cast<gid_t>(std::strtoul(f[3].c_str(), nullptr, 10));
    if (!f[5].empty()) ids.home = f[5];
    found = true;
    break;
  }
  if (gid) ids.gid = static_cast<gid_t>(*gid);
  else if (!found) ids.gid = 0;
  auto add = [&](gid_t g) {
    if (std::find(ids.groups.begin(), ids.groups.end(), g) == ids.groups.end()) {
      ids.groups.push_back(g);
    }
  };
  if (found && !name.empty()) {
    for (const std::string& line : Split(group, '\n')) {
      // name:x:gid:member,member
      std::vector<std::string> f = Fields(line);
      if (f.size() < 4 || f[2].empty()) continue;
      for (const std::string& member : Split(f[3], ',')) {
        if (member == name) add(static_cast<gid_t>(std::strtoul(f[2].c_str(), nullptr, 10)));
      }
    }
  }
  for (int64_t g : supplemental) add(static_cast<gid_t>(g));
  return ids;
}

Status SwitchUser(const UserIds& ids) {
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Errno("PR_SET_KEEPCAPS", errno);
  if (::setgroups(ids.groups.size(), ids.groups.data()) != 0) return Errno("setgroups", errno);
  if (::setresgid(ids.gid, ids.gid, ids.gid) != 0) {
    return Errno("setgid " + std::to_string(ids.gid), errno);
  }
  if (::setresuid(ids.uid, ids.uid, ids.uid) != 0) {
    return Errno("setuid " + std::to_string(ids.uid), errno);
  }
  return Status::Ok();
}

}  // namespace minik::rt
