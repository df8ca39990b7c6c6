#include "controllers/cron_schedule.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace minik::cron {

namespace {

using std::chrono::duration_cast;
using std::chrono::nanoseconds;

constexpr int64_t kAlpha = std::numeric_limits<int64_t>::min();
constexpr int64_t kOmega = std::numeric_limits<int64_t>::max();
constexpr int64_t kDay = 86400;
constexpr uint64_t kStarBit = 1ULL << 63;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2));
}
bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysIn(int m, int y) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// ---- TZif reading ----------------------------------------------------------------------------

class Reader {
 public:
  explicit Reader(const std::string& d) : d_(d) {}
  bool Take(size_t n, const char** out) {
    if (pos_ + n > d_.size()) return false;
    *out = d_.data() + pos_;
    pos_ += n;
    return true;
  }
  bool Be32(int64_t* v) {
    const char* p;
    if (!Take(4, &p)) return false;
    uint32_t u = 0;
    for (int i = 0; i < 4; ++i) u = (u << 8) | static_cast<uint8_t>(p[i]);
    *v = static_cast<int32_t>(u);
    return true;
  }
  bool Be64(int64_t* v) {
    const char* p;
    if (!Take(8, &p)) return false;
    uint64_t u = 0;
    for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(p[i]);
    *v = static_cast<int64_t>(u);
    return true;
  }
  std::string Rest() const { return d_.substr(pos_); }

 private:
  const std::string& d_;
  size_t pos_ = 0;
};

// ---- POSIX TZ strings (Go's tzset) -----------------------------------------------------------

bool TzName(std::string_view& s, std::string* name) {
  if (s.empty()) return false;
  if (s[0] == '<') {
    size_t close = s.find('>');
    if (close == std::string_view::npos || close < 4) return false;
    *name = std::string(s.substr(1, close - 1));
    s.remove_prefix(close + 1);
    return true;
  }
  size_t i = 0;
  while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
  if (i < 3) return false;
  *name = std::string(s.substr(0, i));
  s.remove_prefix(i);
  return true;
}
bool TzNum(std::string_view& s, int min, int max, int* out) {
  size_t i = 0;
  int v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i < 4)
    v = v * 10 + (s[i++] - '0');
  if (i == 0 || v < min || v > max) return false;
  s.remove_prefix(i);
  *out = v;
  return true;
}
// [+-]hh[:mm[:ss]] in seconds (POSIX sign: positive is west of Greenwich).
bool TzOffset(std::string_view& s, int* out) {
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  int h, m = 0, sec = 0;
  if (!TzNum(s, 0, 24 * 7, &h)) return false;
  if (!s.empty() && s[0] == ':') {
    s.remove_prefix(1);
    if (!TzNum(s, 0, 59, &m)) return false;
    if (!s.empty() && s[0] == ':') {
      s.remove_prefix(1);
      if (!TzNum(s, 0, 59, &sec)) return false;
    }
  }
  *out = sign * (h * 3600 + m * 60 + sec);
  return true;
}

}  // namespace

struct Location::Rule {
  enum Kind { kJulian, kDoy, kMonthWeekDay };
  struct When {
    Kind kind = kMonthWeekDay;
    int day = 0, week = 0, mon = 0;
    int time = 7200;
  };
  int std_offset = 0;  // seconds east
  int dst_offset = 0;
  bool has_dst = false;
  When start, end;

  static bool ParseWhen(std::string_view& s, When* w) {
    if (s.empty()) return false;
    if (s[0] == 'J') {
      s.remove_prefix(1);
      w->kind = kJulian;
      if (!TzNum(s, 1, 365, &w->day)) return false;
    } else if (s[0] == 'M') {
      s.remove_prefix(1);
      w->kind = kMonthWeekDay;
      if (!TzNum(s, 1, 12, &w->mon) || s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
      if (!TzNum(s, 1, 5, &w->week) || s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
      if (!TzNum(s, 0, 6, &w->day)) return false;
    } else {
      w->kind = kDoy;
      if (!TzNum(s, 0, 365, &w->day)) return false;
    }
    w->time = 7200;
    if (!s.empty() && s[0] == '/') {
      s.remove_prefix(1);
      if (!TzOffset(s, &w->time)) return false;
    }
    return true;
  }

  static std::shared_ptr<const Rule> Parse(std::string_view s) {
    auto r = std::make_shared<Rule>();
    std::string name;
    int off;
    if (!TzName(s, &name) || !TzOffset(s, &off)) return nullptr;
    r->std_offset = -off;
    if (s.empty() || s[0] == ',') return r;
    if (!TzName(s, &name)) return nullptr;
    r->has_dst = true;
    if (s.empty() || s[0] == ',') {
      r->dst_offset = r->std_offset + 3600;
    } else {
      if (!TzOffset(s, &off)) return nullptr;
      r->dst_offset = -off;
    }
    std::string_view rules = s.empty() ? std::string_view(",M3.2.0,M11.1.0") : s;
    if (rules[0] != ',' && rules[0] != ';') return nullptr;
    rules.remove_prefix(1);
    if (!ParseWhen(rules, &r->start) || rules.empty() || rules[0] != ',') return nullptr;
    rules.remove_prefix(1);
    if (!ParseWhen(rules, &r->end) || !rules.empty()) return nullptr;
    return r;
  }

  // tzruleTime: seconds since the start of `year` (UTC) of the transition.
  static int64_t Time(int year, const When& w, int off) {
    int64_t s = 0;
    switch (w.kind) {
      case kJulian:
        s = static_cast<int64_t>(w.day - 1) * kDay;
        if (IsLeap(year) && w.day >= 60) s += kDay;
        break;
      case kDoy:
        s = static_cast<int64_t>(w.day) * kDay;
        break;
      case kMonthWeekDay: {
        int64_t first = DaysFromCivil(year, w.mon, 1);
        int dow = static_cast<int>(((first + 4) % 7 + 7) % 7);
        int d = w.day - dow;
        if (d < 0) d += 7;
        for (int i = 1; i < w.week; ++i) {
          if (d + 7 >= DaysIn(w.mon, year)) break;
          d += 7;
        }
        s = (first + d - DaysFromCivil(year, 1, 1)) * kDay;
        break;
      }
    }
    return s + w.time - off;
  }
};

std::shared_ptr<const Location> Location::Utc() {
  static const std::shared_ptr<const Location> utc = [] {
    auto l = std::make_shared<Location>();
    l->name_ = "UTC";
    return l;
  }();
  return utc;
}

StatusOr<std::shared_ptr<const Location>> Location::Load(const std::string& name,
                                                         const std::string& zoneinfo_dir) {
  if (name.empty() || name == "UTC") return Utc();
  // Go refuses names that could escape the zoneinfo directory.
  if (name.find("..") != std::string::npos || name[0] == '/' || name[0] == '\\' ||
      name == "Local") {
    return Status(Code::kBadRequest, "time: invalid location name");
  }
  std::ifstream in(zoneinfo_dir + "/" + name, std::ios::binary);
  if (!in) return Status(Code::kNotFound, "unknown time zone " + name);
  std::stringstream buf;
  buf << in.rdbuf();
  auto loc = FromTzif(name, buf.str());
  if (!loc.ok()) return Status(Code::kNotFound, "unknown time zone " + name);
  return loc;
}

StatusOr<std::shared_ptr<const Location>> Location::FromTzif(const std::string& name,
                                                             const std::string& data) {
  auto bad = [] { return Status(Code::kBadRequest, "malformed time zone information"); };
  Reader r(data);
  auto header = [&](int* version, int64_t counts[6]) {
    const char* p;
    if (!r.Take(4, &p) || std::memcmp(p, "TZif", 4) != 0) return false;
    if (!r.Take(16, &p)) return false;
    *version = p[0] == 0 ? 1 : p[0] - '0';
    for (int i = 0; i < 6; ++i)
      if (!r.Be32(&counts[i]) || counts[i] < 0 || counts[i] > (1 << 20)) return false;
    return true;
  };
  enum { kIsUt, kIsStd, kLeap, kTime, kType, kChar };
  int version;
  int64_t n[6];
  if (!header(&version, n)) return bad();
  int tsize = 4;
  if (version >= 2) {
    // Skip the 32-bit block; the 64-bit one follows with its own header.
    const char* p;
    if (!r.Take(n[kTime] * 5 + n[kType] * 6 + n[kChar] + n[kLeap] * 8 + n[kIsStd] + n[kIsUt], &p))
      return bad();
    if (!header(&version, n)) return bad();
    tsize = 8;
  }
  auto loc = std::make_shared<Location>();
  loc->name_ = name;
  for (int64_t i = 0; i < n[kTime]; ++i) {
    int64_t t;
    if (!(tsize == 8 ? r.Be64(&t) : r.Be32(&t))) return bad();
    loc->tx_times_.push_back(t);
  }
  for (int64_t i = 0; i < n[kTime]; ++i) {
    const char* p;
    if (!r.Take(1, &p)) return bad();
    loc->tx_types_.push_back(static_cast<uint8_t>(*p));
  }
  for (int64_t i = 0; i < n[kType]; ++i) {
    int64_t off;
    const char* p;
    if (!r.Be32(&off) || !r.Take(2, &p)) return bad();
    loc->types_.push_back({static_cast<int>(off), p[0] != 0});
  }
  if (loc->types_.empty()) return bad();
  for (uint8_t t : loc->tx_types_)
    if (t >= loc->types_.size()) return bad();
  const char* skip;
  if (!r.Take(n[kChar] + n[kLeap] * (tsize + 4) + n[kIsStd] + n[kIsUt], &skip)) return bad();
  if (version >= 2) {
    std::string footer = r.Rest();
    if (footer.size() >= 2 && footer[0] == '\n') {
      size_t end = footer.find('\n', 1);
      std::string tz = footer.substr(1, end == std::string::npos ? std::string::npos : end - 1);
      if (!tz.empty()) loc->rule_ = Rule::Parse(tz);
    }
  }
  if (loc->tx_times_.empty()) {
    // Go adds a pseudo-transition at the beginning of time.
    loc->tx_times_.push_back(kAlpha);
    loc->tx_types_.push_back(0);
  }
  return std::shared_ptr<const Location>(loc);
}

Location::Zone Location::FromRule(int64_t sec, int64_t last_tx) const {
  const Rule& r = *rule_;
  if (!r.has_dst) return {r.std_offset, last_tx, kOmega};
  int year, month, day;
  CivilFromDays(FloorDiv(sec, kDay), &year, &month, &day);
  const int64_t year_start = DaysFromCivil(year, 1, 1) * kDay;
  const int64_t ysec = sec - year_start;
  int64_t start = Rule::Time(year, r.start, r.std_offset);
  int64_t end = Rule::Time(year, r.end, r.dst_offset);
  int std_off = r.std_offset, dst_off = r.dst_offset;
  if (end < start) {  // southern hemisphere: the labels flip
    std::swap(start, end);
    std::swap(std_off, dst_off);
  }
  if (ysec < start) return {std_off, year_start, start + year_start};
  if (ysec >= end) return {std_off, end + year_start, year_start + 365 * kDay};
  return {dst_off, start + year_start, end + year_start};
}

Location::Zone Location::Lookup(int64_t sec) const {
  if (types_.empty()) return {0, kAlpha, kOmega};
  if (sec < tx_times_[0]) {
    // lookupFirstZone: the first standard-time type, preferring one before the first used.
    size_t zi = 0;
    bool first_used = std::find(tx_types_.begin(), tx_types_.end(), 0) != tx_types_.end();
    if (first_used) {
      bool found = false;
      if (types_[tx_types_[0]].dst) {
        for (int i = static_cast<int>(tx_types_[0]) - 1; i >= 0 && !found; --i)
          if (!types_[i].dst) zi = i, found = true;
      }
      for (size_t i = 0; i < types_.size() && !found; ++i)
        if (!types_[i].dst) zi = i, found = true;
    }
    return {types_[zi].offset, kAlpha, tx_times_[0]};
  }
  size_t lo = 0, hi = tx_times_.size();
  int64_t end = kOmega;
  while (hi - lo > 1) {
    size_t m = (lo + hi) / 2;
    if (sec < tx_times_[m]) {
      end = tx_times_[m];
      hi = m;
    } else {
      lo = m;
    }
  }
  Zone z{types_[tx_types_[lo]].offset, tx_times_[lo], end};
  if (lo == tx_times_.size() - 1 && rule_) return FromRule(sec, z.start);
  return z;
}

Civil CivilIn(int64_t unix_sec, const Location& loc) {
  int64_t local = unix_sec + loc.Lookup(unix_sec).offset;
  int64_t days = FloorDiv(local, kDay);
  int64_t secs = local - days * kDay;
  Civil c{};
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = static_cast<int>(secs / 3600);
  c.minute = static_cast<int>(secs / 60 % 60);
  c.second = static_cast<int>(secs % 60);
  c.weekday = static_cast<int>(((days + 4) % 7 + 7) % 7);
  return c;
}

int64_t DateIn(int year, int month, int day, int hour, int minute, int second,
               const Location& loc) {
  int64_t m0 = month - 1;
  int64_t y = year + FloorDiv(m0, 12);
  m0 -= FloorDiv(m0, 12) * 12;
  int64_t local_sec = (DaysFromCivil(y, static_cast<int>(m0) + 1, 1) + day - 1) * kDay +
                      static_cast<int64_t>(hour) * 3600 + static_cast<int64_t>(minute) * 60 +
                      second;
  // As Go's Date: look the offset up at the local time taken as UTC, and again at the
  // adjusted time when that falls outside the zone found.
  Location::Zone z = loc.Lookup(local_sec);
  if (z.offset != 0) {
    int64_t utc = local_sec - z.offset;
    int offset = z.offset;
    if (utc < z.start || utc >= z.end) offset = loc.Lookup(utc).offset;
    local_sec -= offset;
  }
  return local_sec;
}

std::string FormatRfc3339In(SystemTime t, const Location& loc) {
  int64_t sec = FloorDiv(duration_cast<nanoseconds>(t.time_since_epoch()).count(), 1000000000);
  Civil c = CivilIn(sec, loc);
  int off = loc.Lookup(sec).offset;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  std::string out = buf;
  if (off == 0) return out + "Z";
  int a = off < 0 ? -off : off;
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
  return out + buf;
}

// ---- parsing (robfig/cron v3 parser.go) ------------------------------------------------------

namespace {

struct Bounds {
  int min, max;
  std::vector<std::string> names;  // names[i] is the value min + i (empty: none)
};
const Bounds kMinutes{0, 59, {}};
const Bounds kHours{0, 23, {}};
const Bounds kDom{1, 31, {}};
const Bounds kMonths{
    1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
const Bounds kDow{0, 6, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

uint64_t Bits(int min, int max, int step) {
  uint64_t bits = 0;
  if (step == 1) return ~(~0ULL << (max + 1)) & (~0ULL << min);
  for (int i = min; i <= max; i += step) bits |= 1ULL << i;
  return bits;
}
uint64_t All(const Bounds& b) { return Bits(b.min, b.max, 1) | kStarBit; }

std::string GoQuoteSimple(const std::string& s) { return "\"" + s + "\""; }

// mustParseInt: strconv.Atoi then the sign check.
StatusOr<int> MustParseInt(const std::string& expr) {
  std::string digits = expr;
  bool neg = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    neg = digits[0] == '-';
    digits = digits.substr(1);
  }
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
    return BadRequest("failed to parse int from " + expr + ": strconv.Atoi: parsing " +
                      GoQuoteSimple(expr) + ": invalid syntax");
  }
  if (digits.size() > 18) {
    return BadRequest("failed to parse int from " + expr + ": strconv.Atoi: parsing " +
                      GoQuoteSimple(expr) + ": value out of range");
  }
  long long v = std::stoll(digits);
  if (neg) v = -v;
  if (v < 0) return BadRequest("negative number (" + std::to_string(v) + ") not allowed: " + expr);
  if (v > 1000000) v = 1000000;  // far above any bound: reported as out of range below
  return static_cast<int>(v);
}

StatusOr<int> ParseIntOrName(const std::string& expr, const Bounds& b) {
  if (!b.names.empty()) {
    std::string lower = expr;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (size_t i = 0; i < b.names.size(); ++i)
      if (b.names[i] == lower) return b.min + static_cast<int>(i);
  }
  return MustParseInt(expr);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t i = s.find(sep, start);
    out.push_back(s.substr(start, i == std::string::npos ? std::string::npos : i - start));
    if (i == std::string::npos) break;
    start = i + 1;
  }
  return out;
}

StatusOr<uint64_t> GetRange(const std::string& expr, const Bounds& b) {
  std::vector<std::string> range_step = Split(expr, '/');
  std::vector<std::string> low_high = Split(range_step[0], '-');
  const bool single = low_high.size() == 1;
  int start, end, step;
  uint64_t extra = 0;
  if (low_high[0] == "*" || low_high[0] == "?") {
    start = b.min;
    end = b.max;
    extra = kStarBit;
  } else {
    auto s = ParseIntOrName(low_high[0], b);
    if (!s.ok()) return s.status();
    start = *s;
    if (low_high.size() == 1) {
      end = start;
    } else if (low_high.size() == 2) {
      auto e = ParseIntOrName(low_high[1], b);
      if (!e.ok()) return e.status();
      end = *e;
    } else {
      return BadRequest("too many hyphens: " + expr);
    }
  }
  if (range_step.size() == 1) {
    step = 1;
  } else if (range_step.size() == 2) {
    auto s = MustParseInt(range_step[1]);
    if (!s.ok()) return s.status();
    step = *s;
    if (single) end = b.max;  // "N/step" means "N-max/step"
    if (step > 1) extra = 0;
  } else {
    return BadRequest("too many slashes: " + expr);
  }
  if (start < b.min) {
    return BadRequest("beginning of range (" + std::to_string(start) + ") below minimum (" +
                      std::to_string(b.min) + "): " + expr);
  }
  if (end > b.max) {
    return BadRequest("end of range (" + std::to_string(end) + ") above maximum (" +
                      std::to_string(b.max) + "): " + expr);
  }
  if (start > end) {
    return BadRequest("beginning of range (" + std::to_string(start) + ") beyond end of range (" +
                      std::to_string(end) + "): " + expr);
  }
  if (step == 0) return BadRequest("step of range should be a positive number: " + expr);
  return Bits(start, end, step) | extra;
}

StatusOr<uint64_t> GetField(const std::string& field, const Bounds& b) {
  uint64_t bits = 0;
  for (const std::string& expr : Split(field, ',')) {
    auto r = GetRange(expr, b);
    if (!r.ok()) return r.status();
    bits |= *r;
  }
  return bits;
}

// time.ParseDuration, for "@every".
StatusOr<int64_t> ParseGoDuration(const std::string& text) {
  auto invalid = [&] { return BadRequest("time: invalid duration " + GoQuoteSimple(text)); };
  std::string s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s = s.substr(1);
  }
  if (s == "0") return int64_t{0};
  if (s.empty()) return invalid();
  long double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    std::string num = s.substr(start, i - start);
    if (num.empty() || num == "." || std::count(num.begin(), num.end(), '.') > 1) return invalid();
    size_t ustart = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string unit = s.substr(ustart, i - ustart);
    if (unit.empty()) return BadRequest("time: missing unit in duration " + GoQuoteSimple(text));
    long double mult;
    if (unit == "ns")
      mult = 1;
    else if (unit == "us" || unit == "\xc2\xb5s" || unit == "\xce\xbcs")
      mult = 1e3;
    else if (unit == "ms")
      mult = 1e6;
    else if (unit == "s")
      mult = 1e9;
    else if (unit == "m")
      mult = 60e9;
    else if (unit == "h")
      mult = 3600e9;
    else
      return BadRequest("time: unknown unit " + GoQuoteSimple(unit) + " in duration " +
                        GoQuoteSimple(text));
    total += std::stold(num) * mult;
  }
  if (total > 9.2e18L) return invalid();
  return static_cast<int64_t>(neg ? -total : total);
}

}  // namespace

StatusOr<Schedule> Schedule::Parse(const std::string& input, const std::string& zoneinfo_dir) {
  if (input.empty()) return BadRequest("empty spec string");
  std::string spec = input;
  Schedule s;
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    size_t sp = spec.find(' ');
    size_t eq = spec.find('=');
    std::string zone =
        spec.substr(eq + 1, sp == std::string::npos ? std::string::npos : sp - eq - 1);
    auto loc = Location::Load(zone, zoneinfo_dir);
    if (!loc.ok())
      return BadRequest("provided bad location " + zone + ": " + loc.status().message());
    s.loc_ = *loc;
    spec = sp == std::string::npos ? "" : spec.substr(sp);
    size_t a = spec.find_first_not_of(" \t\n\r\v\f");
    spec =
        a == std::string::npos ? "" : spec.substr(a, spec.find_last_not_of(" \t\n\r\v\f") - a + 1);
  }
  if (!spec.empty() && spec[0] == '@') {
    s.second_ = 1;  // second 0
    if (spec == "@yearly" || spec == "@annually") {
      s.minute_ = 1, s.hour_ = 1, s.dom_ = 1ULL << 1, s.month_ = 1ULL << 1, s.dow_ = All(kDow);
    } else if (spec == "@monthly") {
      s.minute_ = 1, s.hour_ = 1, s.dom_ = 1ULL << 1, s.month_ = All(kMonths), s.dow_ = All(kDow);
    } else if (spec == "@weekly") {
      s.minute_ = 1, s.hour_ = 1, s.dom_ = All(kDom), s.month_ = All(kMonths), s.dow_ = 1;
    } else if (spec == "@daily" || spec == "@midnight") {
      s.minute_ = 1, s.hour_ = 1, s.dom_ = All(kDom), s.month_ = All(kMonths), s.dow_ = All(kDow);
    } else if (spec == "@hourly") {
      s.minute_ = 1, s.hour_ = All(kHours), s.dom_ = All(kDom), s.month_ = All(kMonths),
      s.dow_ = All(kDow);
    } else if (spec.rfind("@every ", 0) == 0) {
      auto d = ParseGoDuration(spec.substr(7));
      if (!d.ok())
        return BadRequest("failed to parse duration " + spec + ": " + d.status().message());
      // Every(): at least a second, whole seconds.
      int64_t ns = std::max<int64_t>(*d, 1000000000);
      s.every_ns_ = ns - ns % 1000000000;
    } else {
      return BadRequest("unrecognized descriptor: " + spec);
    }
    return s;
  }
  std::vector<std::string> fields;
  {
    std::istringstream in(spec);
    for (std::string f; in >> f;) fields.push_back(f);
  }
  if (fields.size() != 5) {
    std::string list;
    for (size_t i = 0; i < fields.size(); ++i) list += (i ? " " : "") + fields[i];
    return BadRequest("expected exactly 5 fields, found " + std::to_string(fields.size()) + ": [" +
                      list + "]");
  }
  const Bounds* bounds[] = {&kMinutes, &kHours, &kDom, &kMonths, &kDow};
  uint64_t* out[] = {&s.minute_, &s.hour_, &s.dom_, &s.month_, &s.dow_};
  for (int i = 0; i < 5; ++i) {
    auto bits = GetField(fields[i], *bounds[i]);
    if (!bits.ok()) return bits.status();
    *out[i] = *bits;
  }
  return s;
}

SystemTime Schedule::Next(SystemTime tp) const {
  const int64_t total_ns = duration_cast<nanoseconds>(tp.time_since_epoch()).count();
  const int64_t whole = FloorDiv(total_ns, 1000000000);
  const int64_t frac = total_ns - whole * 1000000000;
  if (every_ns_ > 0) return tp + nanoseconds(every_ns_ - frac);
  const Location& loc = loc_ ? *loc_ : default_loc_ ? *default_loc_ : *Location::Utc();
  auto matches = [](uint64_t bits, int v) { return (bits >> v) & 1; };
  auto day_matches = [&](const Civil& c) {
    bool dom = matches(dom_, c.day), dow = matches(dow_, c.weekday);
    if ((dom_ & kStarBit) || (dow_ & kStarBit)) return dom && dow;
    return dom || dow;
  };
  int64_t t = whole + 1;  // the upcoming second
  bool added = false;
  const int year_limit = CivilIn(t, loc).year + 5;
  for (;;) {  // WRAP
    Civil c = CivilIn(t, loc);
    if (c.year > year_limit) return SystemTime{};
    bool wrapped = false;
    while (!matches(month_, c.month)) {
      if (!added) {
        added = true;
        t = DateIn(c.year, c.month, 1, 0, 0, 0, loc);
        c = CivilIn(t, loc);
      }
      t = DateIn(c.year, c.month + 1, c.day, c.hour, c.minute, c.second, loc);
      c = CivilIn(t, loc);
      if (c.month == 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!day_matches(c)) {
      if (!added) {
        added = true;
        t = DateIn(c.year, c.month, c.day, 0, 0, 0, loc);
        c = CivilIn(t, loc);
      }
      t = DateIn(c.year, c.month, c.day + 1, c.hour, c.minute, c.second, loc);
      c = CivilIn(t, loc);
      // Midnight may not exist on a DST day: move back to the day's first hour.
      if (c.hour != 0) {
        t += c.hour > 12 ? (24 - c.hour) * 3600 : -c.hour * 3600;
        c = CivilIn(t, loc);
      }
      if (c.day == 1) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!matches(hour_, c.hour)) {
      if (!added) {
        added = true;
        t = DateIn(c.year, c.month, c.day, c.hour, 0, 0, loc);
        c = CivilIn(t, loc);
      }
      t += 3600;
      c = CivilIn(t, loc);
      if (c.hour == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!matches(minute_, c.minute)) {
      if (!added) {
        added = true;
        t = FloorDiv(t, 60) * 60;
      }
      t += 60;
      c = CivilIn(t, loc);
      if (c.minute == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    while (!matches(second_, c.second)) {
      added = true;
      t += 1;
      c = CivilIn(t, loc);
      if (c.second == 0) {
        wrapped = true;
        break;
      }
    }
    if (wrapped) continue;
    return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::seconds(t)));
  }
}

}  // namespace minik::cron
