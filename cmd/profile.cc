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
