#include "kubelet/network/ipam.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

namespace minik::net {

namespace {

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

std::string DirName(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

Status WriteFileAtomic(const std::string& path, const std::string& data, bool sync_dir) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal(Errno("cannot create", tmp));
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Internal(Errno("cannot write", tmp));
      ::close(fd);
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status st = Internal(Errno("cannot fsync", tmp));
    ::close(fd);
    return st;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Internal(Errno("cannot rename", tmp));
  if (!sync_dir) return Status::Ok();
  // The rename is durable only once the directory entry is.
  int dir = ::open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return Internal(Errno("cannot open directory of", path));
  int rc = ::fsync(dir);
  ::close(dir);
  if (rc != 0) return Internal(Errno("cannot fsync directory of", path));
  return Status::Ok();
}

StatusOr<std::unique_ptr<IpAllocator>> IpAllocator::Open(const std::string& path, Ipv4Cidr cidr) {
  std::unique_ptr<IpAllocator> a(new IpAllocator(path, cidr));
  MINIK_RETURN_IF_ERROR(a->Load());
  return a;
}

Status IpAllocator::Load() {
  int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::Ok();
    return Internal(Errno("cannot open", path_));
  }
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Internal(Errno("cannot read", path_));
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  auto corrupt = [&](const std::string& why) {
    return Internal("ipam state " + path_ + " is corrupt (" + why +
                    "); refusing to allocate, since an address could be given twice; "
                    "remove the file once no pod of this network runs");
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return corrupt(std::string("not JSON: ") + e.what());
  }
  if (!j.is_object()) return corrupt("not an object");
  auto cidr_it = j.find("cidr");
  if (cidr_it == j.end() || !cidr_it->is_string()) return corrupt("no cidr");
  if (cidr_it->get<std::string>() != cidr_.ToString())
    return Internal("ipam state " + path_ + " belongs to " + cidr_it->get<std::string>() +
                    ", not " + cidr_.ToString());
  if (auto last = j.find("last"); last != j.end()) {
    if (!last->is_string()) return corrupt("bad last");
    StatusOr<uint32_t> ip = ParseIpv4(last->get<std::string>());
    if (!ip.ok() || !cidr_.Contains(*ip)) return corrupt("bad last");
    last_ = *ip;
  }
  auto allocs = j.find("allocations");
  if (allocs == j.end()) return Status::Ok();
  if (!allocs->is_object()) return corrupt("allocations is not an object");
  for (auto it = allocs->begin(); it != allocs->end(); ++it) {
    if (it.key().empty() || !it.value().is_string()) return corrupt("bad entry " + it.key());
    StatusOr<uint32_t> ip = ParseIpv4(it.value().get<std::string>());
    if (!ip.ok() || !cidr_.IsPodAddress(*ip)) return corrupt("bad address for " + it.key());
    if (!used_.insert(*ip).second) return corrupt("address " + FormatIpv4(*ip) + " assigned twice");
    allocations_[it.key()] = *ip;
  }
  return Status::Ok();
}

Status IpAllocator::Persist(const std::map<std::string, uint32_t>& allocations, uint32_t last,
                            bool sync_dir) const {
  nlohmann::json j = {{"cidr", cidr_.ToString()}, {"allocations", nlohmann::json::object()}};
  if (last != 0) j["last"] = FormatIpv4(last);
  for (const auto& [key, ip] : allocations) j["allocations"][key] = FormatIpv4(ip);
  return WriteFileAtomic(path_, j.dump() + "\n", sync_dir);
}

StatusOr<uint32_t> IpAllocator::Allocate(const std::string& key) {
  if (key.empty()) return BadRequest("ipam: empty key");
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = allocations_.find(key); it != allocations_.end()) return it->second;
  const uint32_t size = cidr_.Size();
  // Offsets 0 (network), 1 (gateway) and size-1 (broadcast) are never candidates.
  uint32_t start = cidr_.Contains(last_) ? last_ - cidr_.base : 1;
  for (uint32_t i = 1; i <= size; ++i) {
    uint32_t ip = cidr_.base + (start + i) % size;
    if (!cidr_.IsPodAddress(ip) || used_.count(ip)) continue;
    std::map<std::string, uint32_t> next = allocations_;
    next[key] = ip;
    MINIK_RETURN_IF_ERROR(Persist(next, ip, /*sync_dir=*/true));
    allocations_ = std::move(next);
    used_.insert(ip);
    last_ = ip;
    return ip;
  }
  return Status(Code::kServiceUnavailable, "ipam: no free address in " + cidr_.ToString() + " (" +
                                               std::to_string(allocations_.size()) + " in use)");
}

Status IpAllocator::Release(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = allocations_.find(key);
  if (it == allocations_.end()) return Status::Ok();
  std::map<std::string, uint32_t> next = allocations_;
  next.erase(key);
  MINIK_RETURN_IF_ERROR(Persist(next, last_, /*sync_dir=*/false));
  used_.erase(it->second);
  allocations_ = std::move(next);
  return Status::Ok();
}

StatusOr<uint32_t> IpAllocator::Lookup(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = allocations_.find(key);
  if (it == allocations_.end()) return Status(Code::kNotFound, "no address held by " + key);
  return it->second;
}

std::map<std::string, uint32_t> IpAllocator::Allocations() const {
  std::lock_guard<std::mutex> lock(mu_);
  return allocations_;
}

}  // namespace minik::net
