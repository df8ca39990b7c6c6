#include "netproxy/dns_cache.h"

#include <algorithm>

#include "netproxy/dns_message.h"

namespace minik::netproxy::dns {
namespace {

// The cache key of a parsed query; empty when it has not exactly one question.
std::string KeyOf(const Message& q) {
  if (q.questions.size() != 1) return "";
  const Question& question = q.questions[0];
  std::string key = LowerAscii(question.name);
  key.push_back('\0');
  key.push_back(static_cast<char>(question.type >> 8));
  key.push_back(static_cast<char>(question.type & 0xff));
  key.push_back(static_cast<char>(question.klass >> 8));
  key.push_back(static_cast<char>(question.klass & 0xff));
  key.push_back(static_cast<char>(q.edns ? (q.edns->dnssec_ok ? 2 : 1) : 0));
  return key;
}

// How long `reply` may be kept, in seconds (0: not at all).
uint32_t TtlOf(const Message& reply) {
  if (reply.tc || (reply.rcode != kNoError && reply.rcode != kNxDomain)) return 0;
  if (reply.rcode == kNoError && !reply.answers.empty()) {
    uint32_t ttl = UINT32_MAX;
    for (const Record& rr : reply.answers) ttl = std::min(ttl, rr.ttl);
    return ttl;
  }
  // NXDOMAIN or NODATA: the negative TTL of RFC 2308.
  for (const Record& rr : reply.authority)
    if (rr.type == kTypeSoa) return std::min(rr.ttl, rr.minimum);
  return 0;
}

}  // namespace

AnswerCache::AnswerCache(size_t capacity, std::chrono::seconds max_ttl)
    : capacity_(capacity), max_ttl_(max_ttl) {}

size_t AnswerCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

std::optional<std::string> AnswerCache::Lookup(std::string_view query, TimePoint now) {
  StatusOr<Message> q = ParseMessage(query);
  if (!q.ok()) return std::nullopt;
  const std::string key = KeyOf(*q);
  if (key.empty()) return std::nullopt;
  Entry entry;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return std::nullopt;
    if (now >= it->second.expires) {
      entries_.erase(it);
      return std::nullopt;
    }
    entry = it->second;
  }
  StatusOr<Message> reply = ParseMessage(entry.reply);
  if (!reply.ok()) return std::nullopt;
  const auto age = static_cast<uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(now - entry.stored).count());
  for (auto* section : {&reply->answers, &reply->authority, &reply->additional})
    for (Record& rr : *section) rr.ttl = rr.ttl > age ? rr.ttl - age : 0;
  reply->id = q->id;
  reply->questions = q->questions;
  // EDNS options (cookies, client subnet) were the first asker's.
  if (reply->edns) reply->edns->options.clear();
  std::string out;
  if (!EncodeMessage(*reply, &out).ok()) return std::nullopt;
  return out;
}

void AnswerCache::Insert(std::string_view query, std::string_view reply, TimePoint now) {
  if (capacity_ == 0) return;
  StatusOr<Message> q = ParseMessage(query);
  StatusOr<Message> r = ParseMessage(reply);
  if (!q.ok() || !r.ok()) return;
  const std::string key = KeyOf(*q);
  if (key.empty() || KeyOf(*r).substr(0, key.size() - 1) != key.substr(0, key.size() - 1)) return;
  const uint32_t ttl = std::min<uint32_t>(TtlOf(*r), static_cast<uint32_t>(max_ttl_.count()));
  if (ttl == 0) return;
  Entry entry{std::string(reply), now, now + std::chrono::seconds(ttl)};
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.size() >= capacity_ && !entries_.count(key)) {
    std::erase_if(entries_, [&](const auto& e) { return now >= e.second.expires; });
    if (entries_.size() >= capacity_) entries_.erase(entries_.begin());
  }
  entries_[key] = std::move(entry);
}

}  // namespace minik::netproxy::dns
