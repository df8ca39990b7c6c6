#include "cmd/profile.h"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "api/json.h"
#include "cmd/fileutil.h"

namespace minik {

std::string PodCidr(const ProfileConfig& c) {
  return "10." + std::to_string(244 + c.pod_cidr_index) + ".0.0/16";
}
std::string BridgeName(const ProfileConfig& c) {
  return "minik" + std::to_string(c.pod_cidr_index);
}
std::string BridgeIp(const ProfileConfig& c) {
  return "10." + std::to_string(244 + c.pod_cidr_index) + ".0.1";
}

std::string MinikHome() {
  const char* env = std::getenv("MINIK_HOME");
  std::string home;
  if (env && *env) {
    home = env;
  } else {
    const char* h = std::getenv("HOME");
    if (h && *h) {
      home = h;
    } else if (struct passwd* pw = getpwuid(geteuid()); pw && pw->pw_dir) {
      home = pw->pw_dir;
    } else {
      home = "/";
    }
    home += "/.minik";
  }
  std::error_code ec;
  auto abs = std::filesystem::absolute(home, ec);
  if (!ec) home = abs.lexically_normal().string();
  while (home.size() > 1 && home.back() == '/') home.pop_back();
  return home;
}

ProfilePaths PathsFor(const std::string& home, const std::string& profile) {
  ProfilePaths p;
  p.home = home;
  p.dir = home + "/profiles/" + profile;
  p.config = p.dir + "/config.json";
  p.pki = p.dir + "/pki";
  p.store = p.dir + "/store";
  p.pid = p.dir + "/server.pid";
  p.log = p.dir + "/server.log";
  p.lock = p.dir + "/lock";
  p.server_lock = p.dir + "/server.lock";
  p.progress = p.dir + "/progress";
  p.images = p.dir + "/images";
  return p;
}

Status ValidateProfileName(const std::string& name) {
  auto bad = [&](const std::string& why) {
    return BadRequest("invalid profile name \"" + name + "\": " + why);
  };
  if (name.empty()) return bad("must not be empty");
  if (name.size() > 63) return bad("must be at most 63 characters");
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return bad("must consist of lowercase letters, digits and '-'");
    }
  }
  if (name.front() == '-' || name.back() == '-')
    return bad("must start and end with a letter or digit");
  return Status::Ok();
}

std::vector<std::string> ListProfiles(const std::string& home) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(home + "/profiles", ec)) {
    std::error_code ec2;
    if (!e.is_directory(ec2)) continue;
    std::string name = e.path().filename().string();
    if (ValidateProfileName(name).ok()) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

StatusOr<ProfileConfig> LoadProfileConfig(const ProfilePaths& paths) {
  auto text = ReadFile(paths.config);
  if (!text.ok()) return text.status();
  ProfileConfig c;
  try {
    Json j = Json::parse(*text);
    c.name = j.at("name").get<std::string>();
    c.api_port = j.at("apiPort").get<int>();
    c.pod_cidr_index = j.at("podCidrIndex").get<int>();
    c.ephemeral = j.value("ephemeral", false);
    c.simulated_nodes = j.value("simulatedNodes", 0);
  } catch (const Json::exception& e) {
    return BadRequest(paths.config + ": malformed profile config: " + e.what());
  }
  if (c.api_port <= 0 || c.api_port > 65535 || c.pod_cidr_index < 0 ||
      c.pod_cidr_index > kMaxPodCidrIndex || c.simulated_nodes < 0) {
    return BadRequest(paths.config + ": malformed profile config: value out of range");
  }
  return c;
}

Status SaveProfileConfig(const ProfilePaths& paths, const ProfileConfig& c) {
  Json j = {{"name", c.name},
            {"apiPort", c.api_port},
            {"podCidrIndex", c.pod_cidr_index},
            {"ephemeral", c.ephemeral},
            {"simulatedNodes", c.simulated_nodes}};
  return WriteFileAtomic(paths.config, j.dump(2) + "\n", 0644);
}

std::string NetworkClaimsDir() {
  const char* run = std::getenv("MINIK_RUN_DIR");
  return std::string(run && *run ? run : "/run/minik") + "/networks";
}

namespace {

std::string ClaimPath(const std::string& dir, int index) {
  return dir + "/" + std::to_string(index);
}

// The live owner of a claim file, "" when absent or stale.
std::string LiveOwner(const std::string& dir, int index) {
  auto owner = ReadFile(ClaimPath(dir, index));
  if (!owner.ok() || owner->empty() || !PathExists(*owner)) return "";
  auto config = ReadFile(*owner + "/config.json");
  if (!config.ok()) return *owner;  // being created: its start has not saved the config yet
  try {
    if (Json::parse(*config).at("podCidrIndex").get<int>() != index) return "";
  } catch (const Json::exception&) {
    return *owner;  // broken, but the directory (and maybe its network) is still there
  }
  return *owner;
}

}  // namespace

StatusOr<int> ClaimNetworkIndex(const std::string& claims_dir, int wanted,
                                const std::string& owner, const std::set<int>& taken) {
  MINIK_RETURN_IF_ERROR(MakeDirs(claims_dir, 0755));
  auto lock = FileLock::Acquire(claims_dir + "/lock", true);
  if (!lock.ok()) return lock.status();
  auto free_for_us = [&](int i) {
    std::string holder = LiveOwner(claims_dir, i);
    return holder.empty() || holder == owner;
  };
  int index = wanted;
  if (!free_for_us(index)) {
    for (index = 0; index <= kMaxPodCidrIndex; ++index) {
      if (!taken.count(index) && free_for_us(index)) break;
    }
    if (index > kMaxPodCidrIndex) {
      return Status(Code::kServiceUnavailable,
                    "every pod network 10.244-255.0.0/16 is used by another minik cluster on "
                    "this machine");
    }
  }
  MINIK_RETURN_IF_ERROR(WriteFileAtomic(ClaimPath(claims_dir, index), owner, 0644, false));
  return index;
}

std::string NetworkIndexOwner(const std::string& claims_dir, int index) {
  return LiveOwner(claims_dir, index);
}

void ReleaseNetworkIndex(const std::string& claims_dir, int index, const std::string& owner) {
  auto lock = FileLock::Acquire(claims_dir + "/lock", true);
  if (!lock.ok()) return;
  auto holder = ReadFile(ClaimPath(claims_dir, index));
  if (holder.ok() && *holder == owner) unlink(ClaimPath(claims_dir, index).c_str());
  // The last claim gone, nothing of minik stays in /run (a later claimer re-creates it; one
  // waiting on the lock re-opens it, see FileLock).
  std::error_code ec;
  bool only_lock = true;
  for (const auto& e : std::filesystem::directory_iterator(claims_dir, ec)) {
    if (e.path().filename() != "lock") only_lock = false;
  }
  if (!ec && only_lock) {
    unlink((claims_dir + "/lock").c_str());
    rmdir(claims_dir.c_str());
    rmdir(std::filesystem::path(claims_dir).parent_path().c_str());  // only when empty
  }
}

StatusOr<ProfileConfig> NewProfileConfig(const std::string& home, const std::string& name) {
  std::set<int> ports, cidrs;
  for (const auto& other : ListProfiles(home)) {
    if (other == name) continue;
    auto c = LoadProfileConfig(PathsFor(home, other));
    if (!c.ok()) continue;  // a profile without a usable config claims nothing
    ports.insert(c->api_port);
    cidrs.insert(c->pod_cidr_index);
  }
  ProfileConfig c;
  c.name = name;
  c.api_port = kFirstApiPort;
  while (ports.count(c.api_port)) ++c.api_port;
  c.pod_cidr_index = 0;
  while (cidrs.count(c.pod_cidr_index)) ++c.pod_cidr_index;
  if (c.pod_cidr_index > kMaxPodCidrIndex) {
    return Status(Code::kServiceUnavailable,
                  "too many profiles: every pod CIDR 10.244-255.0.0/16 is taken");
  }
  return c;
}

}  // namespace minik
