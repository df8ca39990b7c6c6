#include "kubelet/runtime/cri_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace minik::rt {

std::string FormatCriLine(const std::string& timestamp, LogStream stream, bool partial,
                          std::string_view content) {
  std::string out;
  out.reserve(timestamp.size() + content.size() + 12);
  out += timestamp;
  out += stream == LogStream::kStdout ? " stdout " : " stderr ";
  out += partial ? "P " : "F ";
  out += content;
  out += '\n';
  return out;
}

Status CriLogWriter::Open() {
  fd_.reset(::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640));
  if (!fd_.valid()) return Errno("open log " + path_, errno);
  struct stat st;
  size_ = ::fstat(fd_.get(), &st) == 0 ? st.st_size : 0;
  return Status::Ok();
}

void CriLogWriter::Append(LogStream stream, std::string_view data) {
  std::string& pending = pending_[static_cast<int>(stream)];
  std::string out;
  std::string ts;
  auto stamp = [&]() -> const std::string& {
    if (ts.empty()) ts = now_();
    return ts;
  };
  while (!data.empty()) {
    size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
      pending.append(data);
      data = {};
    } else {
      pending.append(data.substr(0, nl));
      data.remove_prefix(nl + 1);
      while (pending.size() > kMaxLine) {
        out += FormatCriLine(stamp(), stream, true, std::string_view(pending).substr(0, kMaxLine));
        pending.erase(0, kMaxLine);
      }
      out += FormatCriLine(stamp(), stream, false, pending);
      pending.clear();
    }
    while (pending.size() >= kMaxLine) {
      out += FormatCriLine(stamp(), stream, true, std::string_view(pending).substr(0, kMaxLine));
      pending.erase(0, kMaxLine);
    }
  }
  if (!out.empty()) Write(out);
}

void CriLogWriter::CloseStream(LogStream stream) {
  std::string& pending = pending_[static_cast<int>(stream)];
  if (pending.empty()) return;
  Write(FormatCriLine(now_(), stream, true, pending));
  pending.clear();
}

void CriLogWriter::Write(const std::string& out) {
  if (!fd_.valid()) return;
  if (max_bytes_ > 0 && size_ > 0 && size_ + static_cast<int64_t>(out.size()) > max_bytes_) {
    std::string old = path_ + ".1";
    if (::rename(path_.c_str(), old.c_str()) == 0) {
      UniqueFd fresh(::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC,
                            0640));
      if (fresh.valid()) {
        fd_ = std::move(fresh);
        size_ = 0;
      }
    }
  }
  std::string_view rest = out;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_.get(), rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // disk full or similar: the container keeps running, output is lost
    }
    rest.remove_prefix(static_cast<size_t>(n));
    size_ += n;
  }
}

}  // namespace minik::rt
