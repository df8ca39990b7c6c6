// CRI log reading (pkg/kubelet/kuberuntime/logs/logs.go), with one difference on purpose:
// partial (P) records are joined per stream until that stream's F record, so an
// interleaved record of the other stream cannot split a line; a trailing P record whose F
// has not been written yet is held back (follow mode shows it once complete).
//
// tail_lines scans the file backwards in 64 KiB chunks for the (N+1)-th complete line from
// the end, so `logs --tail` on a big file reads only its end.
#include "kubelet/cri_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <string_view>
#include <vector>

namespace minik {
namespace {

constexpr size_t kChunk = 64 * 1024;

struct Record {
  SystemTime time;
  bool is_stderr = false;
  bool partial = false;
  std::string_view content;
};

struct LogLine {
  SystemTime time;
  bool is_stderr = false;
  std::string content;
};

// One raw record, without its '\n'. false: malformed (skipped, as upstream logs and skips).
bool ParseRecord(std::string_view line, Record* out) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  if (!ParseRfc3339(std::string(line.substr(0, sp)), &out->time)) return false;
  line.remove_prefix(sp + 1);
  sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  std::string_view stream = line.substr(0, sp);
  if (stream == "stdout") {
    out->is_stderr = false;
  } else if (stream == "stderr") {
    out->is_stderr = true;
  } else {
    return false;
  }
  line.remove_prefix(sp + 1);
  sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  // Tags are ':'-separated for forward compatibility; the first says partial or full.
  std::string_view tags = line.substr(0, sp);
  out->partial = tags.substr(0, tags.find(':')) == "P";
  out->content = line.substr(sp + 1);
  return true;
}

bool Wanted(const LogReadOptions& o, bool is_stderr) {
  return is_stderr ? !o.stdout_only : !o.stderr_only;
}

// RFC3339Nano as Go formats it: UTC, trailing zeros of the fraction dropped.
std::string FormatRfc3339Nano(SystemTime t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  int64_t frac = ns % 1000000000;
  if (frac < 0) frac += 1000000000;
  std::string s = FormatRfc3339(std::chrono::time_point_cast<std::chrono::seconds>(
      t - std::chrono::nanoseconds(frac)));
  if (frac == 0) return s;
  char digits[16];
  std::snprintf(digits, sizeof digits, "%09lld", static_cast<long long>(frac));
  std::string f = digits;
  while (!f.empty() && f.back() == '0') f.pop_back();
  s.insert(s.size() - 1, "." + f);  // before the 'Z'
  return s;
}

// Joins P records per stream. Feed() returns true when `out` holds a completed line.
class Joiner {
 public:
  bool Feed(const Record& r, LogLine* out) {
    Pending& p = pending_[r.is_stderr];
    if (!p.active) {
      p.active = true;
      p.time = r.time;
      p.content.clear();
    }
    p.content.append(r.content);
    if (r.partial) return false;
    out->time = p.time;
    out->is_stderr = r.is_stderr;
    out->content = std::move(p.content);
    p.content.clear();
    p.active = false;
    return true;
  }
  bool Idle() const { return !pending_[0].active && !pending_[1].active; }

 private:
  struct Pending {
    bool active = false;
    SystemTime time;
    std::string content;
  };
  Pending pending_[2];
};

class File {
 public:
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  // NotFound when absent.
  Status Open(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      int err = errno;
      return Status(err == ENOENT ? Code::kNotFound : Code::kInternal,
                    "failed to open log file \"" + path + "\": " + std::strerror(err));
    }
    struct stat st;
    if (::fstat(fd_, &st) != 0) return Internal("stat " + path + ": " + std::strerror(errno));
    size_ = static_cast<uint64_t>(st.st_size);
    inode_ = static_cast<uint64_t>(st.st_ino);
    return Status::Ok();
  }
  uint64_t size() const { return size_; }
  uint64_t inode() const { return inode_; }
  // Reads [off, off+len) (short at EOF).
  Status ReadAt(uint64_t off, size_t len, std::string* out) const {
    out->resize(len);
    size_t got = 0;
    while (got < len) {
      ssize_t n = ::pread(fd_, out->data() + got, len - got, static_cast<off_t>(off + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Internal("read log: " + std::string(std::strerror(errno)));
      if (n == 0) break;
      got += static_cast<size_t>(n);
    }
    out->resize(got);
    return Status::Ok();
  }

 private:
  int fd_ = -1;
  uint64_t size_ = 0, inode_ = 0;
};

// Turns records into lines across files (a partial line may span a rotation). With
// `hold`, lines completed while another stream's partial line is pending are kept until
// no line is pending, so that the returned offset never makes a follower repeat a line.
class Parser {
 public:
  Parser(bool hold, std::function<bool(LogLine&)> emit) : hold_(hold), emit_(std::move(emit)) {}

  // Feeds the complete records of `file` from `start`. Returns the offset after the last
  // record at which no line was pending (where a follower resumes).
  StatusOr<uint64_t> Parse(const File& file, uint64_t start) {
    uint64_t pos = start, safe = start;
    uint64_t buf_start = start;  // file offset of buf[0]
    std::string buf, chunk;
    while (pos < file.size() && !stopped_) {
      MINIK_RETURN_IF_ERROR(file.ReadAt(pos, kChunk, &chunk));
      if (chunk.empty()) break;
      pos += chunk.size();
      buf += chunk;
      size_t begin = 0;
      while (!stopped_) {
        size_t nl = buf.find('\n', begin);
        if (nl == std::string::npos) break;
        Record r;
        LogLine line;
        if (ParseRecord(std::string_view(buf).substr(begin, nl - begin), &r) &&
            joiner_.Feed(r, &line)) {
          if (hold_) {
            held_.push_back(std::move(line));  // emitted, in order, once nothing is pending
          } else {
            Emit(line);
          }
        }
        begin = nl + 1;
        if (joiner_.Idle()) {
          for (LogLine& l : held_) Emit(l);
          held_.clear();
          safe = buf_start + begin;
        }
      }
      buf.erase(0, begin);
      buf_start += begin;
    }
    return safe;
  }
  // The emit callback asked to stop (limit_bytes reached).
  bool stopped() const { return stopped_; }

 private:
  void Emit(LogLine& l) {
    if (!stopped_ && !emit_(l)) stopped_ = true;
  }

  bool hold_;
  std::function<bool(LogLine&)> emit_;
  Joiner joiner_;
  std::vector<LogLine> held_;
  bool stopped_ = false;
};

// Reads a file's complete records backwards, 64 KiB at a time.
class BackwardRecords {
 public:
  explicit BackwardRecords(const File& file) : file_(file), buf_start_(file.size()) {}

  // The previous record, its file offset and the offset after its '\n'. false at the start
  // of the file. A last record without its '\n' yet is not returned.
  StatusOr<bool> Prev(std::string_view* record, uint64_t* begin, uint64_t* end) {
    if (!have_end_) {
      // Find the file's last '\n': records end there.
      for (;;) {
        size_t nl = buf_.rfind('\n');
        if (nl != std::string::npos) {
          buf_.resize(nl + 1);
          line_end_ = buf_start_ + nl + 1;
          break;
        }
        if (buf_start_ == 0) return false;
        MINIK_RETURN_IF_ERROR(Grow());
      }
      have_end_ = true;
    }
    if (line_end_ == 0) return false;
    for (;;) {
      size_t term = static_cast<size_t>(line_end_ - buf_start_) - 1;  // index of its '\n'
      size_t nl = term == 0 ? std::string::npos : buf_.rfind('\n', term - 1);
      if (nl == std::string::npos && buf_start_ > 0) {
        MINIK_RETURN_IF_ERROR(Grow());
        continue;
      }
      size_t rec_start = nl == std::string::npos ? 0 : nl + 1;
      *record = std::string_view(buf_).substr(rec_start, term - rec_start);
      *begin = buf_start_ + rec_start;
      *end = line_end_;
      // The record stays valid until the next call: trim lazily.
      trim_to_ = rec_start;
      line_end_ = *begin;
      pending_trim_ = true;
      return true;
    }
  }

 private:
  Status Grow() {
    if (pending_trim_) {
      buf_.resize(trim_to_);
      pending_trim_ = false;
    }
    uint64_t from = buf_start_ > kChunk ? buf_start_ - kChunk : 0;
    std::string chunk;
    MINIK_RETURN_IF_ERROR(file_.ReadAt(from, static_cast<size_t>(buf_start_ - from), &chunk));
    buf_.insert(0, chunk);
    trim_to_ += chunk.size();
    buf_start_ = from;
    return Status::Ok();
  }

  const File& file_;
  std::string buf_;
  uint64_t buf_start_;  // file offset of buf_[0]
  uint64_t line_end_ = 0;
  bool have_end_ = false;
  size_t trim_to_ = 0;
  bool pending_trim_ = false;
};

// How far past the last wanted line the tail scan looks for the head of a partial line
// of the other stream (whose fragments interleave with this stream's records).
constexpr uint64_t kPartialHeadWindow = 1 << 20;

// Where to start parsing so that the last `want` lines of the wanted streams are complete.
// Phase 1 finds the want-th wanted F record from the end (r0); phase 2, for each wanted
// stream, the end of its last F record before r0: any line of that stream ending after r0
// starts after it. Starting at the smallest of those may include a few older lines (the
// caller keeps the last `want`), never a line without its head. *found counts the phase-1
// records; a result of 0 means the file's beginning was reached (the rotated file may hold
// more lines or heads).
StatusOr<uint64_t> TailStart(const File& file, int64_t want, const LogReadOptions& o,
                             int64_t* found) {
  *found = 0;
  BackwardRecords records(file);
  bool need[2] = {Wanted(o, false), Wanted(o, true)};
  uint64_t start = UINT64_MAX;
  uint64_t phase2_from = file.size();
  std::string_view text;
  uint64_t begin = 0, end = 0;
  for (;;) {
    auto more = records.Prev(&text, &begin, &end);
    if (!more.ok()) return more.status();
    if (!*more) return uint64_t{0};
    Record r;
    if (!ParseRecord(text, &r) || r.partial || !Wanted(o, r.is_stderr)) {
      if (start != UINT64_MAX && phase2_from - begin > kPartialHeadWindow) return start;
      continue;
    }
    if (*found < want) {
      if (++*found == want) phase2_from = begin;
      continue;
    }
    if (need[r.is_stderr]) {
      need[r.is_stderr] = false;
      start = std::min(start, end);
    }
    if (!need[0] && !need[1]) return start;
    if (phase2_from - begin > kPartialHeadWindow) return start;
  }
}

// Appends a line to the output as the options ask; false once limit_bytes is reached.
bool Render(const LogLine& line, const LogReadOptions& o, std::string* out) {
  if (o.since && line.time < *o.since) return true;
  if (o.timestamps) {
    out->append(FormatRfc3339Nano(line.time));
    out->push_back(' ');
  }
  out->append(line.content);
  out->push_back('\n');
  if (o.limit_bytes && static_cast<int64_t>(out->size()) >= *o.limit_bytes) {
    out->resize(static_cast<size_t>(std::max<int64_t>(*o.limit_bytes, 0)));
    return false;
  }
  return true;
}

}  // namespace

StatusOr<std::string> ReadCriLog(const std::string& path, const LogReadOptions& options,
                                 LogCursor* end) {
  File current;
  MINIK_RETURN_IF_ERROR(current.Open(path));
  File rotated;
  const bool has_rotated = rotated.Open(path + ".1").ok();
  // A follower holds back lines behind a pending partial line, so it never repeats one.
  const bool hold = end != nullptr;
  if (end) *end = LogCursor{current.size(), current.inode()};
  std::string out;
  if (options.limit_bytes && *options.limit_bytes <= 0) return out;

  if (!options.tail_lines) {
    Parser parser(hold, [&](LogLine& l) {
      return !Wanted(options, l.is_stderr) || Render(l, options, &out);
    });
    if (has_rotated) {
      auto r = parser.Parse(rotated, 0);
      if (!r.ok()) return r.status();
    }
    if (parser.stopped()) return out;
    auto safe = parser.Parse(current, 0);
    if (!safe.ok()) return safe.status();
    if (end && !parser.stopped()) end->offset = *safe;
    return out;
  }

  const int64_t n = std::max<int64_t>(*options.tail_lines, 0);
  std::deque<LogLine> last;
  Parser parser(hold, [&](LogLine& l) {
    if (!Wanted(options, l.is_stderr) || n == 0) return true;
    last.push_back(std::move(l));
    if (static_cast<int64_t>(last.size()) > n) last.pop_front();
    return true;
  });
  int64_t found = 0;
  auto cur_start = TailStart(current, n, options, &found);
  if (!cur_start.ok()) return cur_start.status();
  if (*cur_start == 0 && has_rotated) {
    int64_t found_rotated = 0;
    auto rot_start = TailStart(rotated, n - found, options, &found_rotated);
    if (!rot_start.ok()) return rot_start.status();
    auto r = parser.Parse(rotated, *rot_start);
    if (!r.ok()) return r.status();
  }
  auto safe = parser.Parse(current, *cur_start);
  if (!safe.ok()) return safe.status();
  if (end) end->offset = *safe;
  for (const LogLine& l : last) {
    if (!Render(l, options, &out)) break;
  }
  return out;
}

StatusOr<std::string> ReadCriLog(const std::string& path, const LogReadOptions& options) {
  return ReadCriLog(path, options, static_cast<LogCursor*>(nullptr));
}

StatusOr<std::string> ReadCriLogFrom(const std::string& path, LogCursor* cursor,
                                     const LogReadOptions& options) {
  File current;
  MINIK_RETURN_IF_ERROR(current.Open(path));
  std::string out;
  Parser parser(true, [&](LogLine& l) {
    return !Wanted(options, l.is_stderr) || Render(l, options, &out);
  });
  const bool replaced = cursor->inode != 0 && cursor->inode != current.inode();
  if (replaced || current.size() < cursor->offset) {
    // Rotated (or truncated): finish the old file, now <path>.1, then start the new one.
    File rotated;
    if (rotated.Open(path + ".1").ok() && rotated.size() >= cursor->offset &&
        (cursor->inode == 0 || rotated.inode() == cursor->inode)) {
      auto r = parser.Parse(rotated, cursor->offset);
      if (!r.ok()) return r.status();
    }
    cursor->offset = 0;
  }
  cursor->inode = current.inode();
  if (parser.stopped()) return out;
  auto safe = parser.Parse(current, cursor->offset);
  if (!safe.ok()) return safe.status();
  cursor->offset = *safe;
  return out;
}

StatusOr<std::string> ReadCriLogFrom(const std::string& path, uint64_t* offset,
                                     const LogReadOptions& options) {
  LogCursor cursor{*offset, 0};
  auto r = ReadCriLogFrom(path, &cursor, options);
  *offset = cursor.offset;
  return r;
}

}  // namespace minik
