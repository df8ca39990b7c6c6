#include "kubelet/images/archive_load.h"

#include <archive.h>
#include <archive_entry.h>

#include <map>
#include <memory>
#include <set>

#include "kubelet/images/digest.h"
#include "kubelet/images/manifest.h"
#include "kubelet/images/reference.h"

namespace minik {
namespace {

constexpr int64_t kMaxSmallEntry = 4 << 20;     // manifests and configs are far smaller
constexpr int64_t kMaxSmallTotal = 64 << 20;
constexpr int kMaxIndexDepth = 4;

Status Bad(const std::string& msg) { return Status(Code::kInvalid, "image archive: " + msg); }

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

StatusOr<ArchivePtr> OpenOuter(const std::string& path) {
  ArchivePtr a(archive_read_new());
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 20) != ARCHIVE_OK) {
    const char* err = archive_error_string(a.get());
    return Bad("not a tar archive: " + path + ": " + (err ? err : "unknown error"));
  }
  return a;
}

std::string ArchiveError(archive* a) {
  const char* err = archive_error_string(a);
  return err ? err : "unknown error";
}

// Joins a symlink's target to the directory holding it, inside the archive's namespace.
std::string ResolveLink(const std::string& entry, const std::string& target) {
  std::vector<std::string> parts;
  auto push = [&](const std::string& p) {
    size_t start = 0;
    while (start <= p.size()) {
      size_t slash = p.find('/', start);
      std::string c = p.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      if (c == "..") {
        if (!parts.empty()) parts.pop_back();
      } else if (!c.empty() && c != ".") {
        parts.push_back(c);
      }
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
  };
  if (target.empty() || target[0] != '/') {
    size_t slash = entry.rfind('/');
    if (slash != std::string::npos) push(entry.substr(0, slash));
  }
  push(target);
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

struct Listing {
  std::set<std::string> files;                    // regular entries
  std::map<std::string, std::string> links;       // symlink -> resolved target
  std::map<std::string, std::string> small;       // small regular entries' contents
};

StatusOr<Listing> FirstPass(const std::string& path) {
  auto a = OpenOuter(path);
  if (!a.ok()) return a.status();
  Listing out;
  int64_t kept = 0;
  bool any = false;
  while (true) {
    archive_entry* e;
    int r = archive_read_next_header(a->get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      return Bad(any ? "truncated or corrupt tar: " + ArchiveError(a->get())
                     : "not a tar archive: " + ArchiveError(a->get()));
    }
    any = true;
    const char* raw = archive_entry_pathname(e);
    if (!raw) continue;
    auto name = CleanEntryPath(raw);
    if (!name.ok() || name->empty()) continue;  // never written anywhere; just not addressable
    mode_t type = archive_entry_filetype(e);
    if (type == AE_IFLNK) {
      const char* t = archive_entry_symlink(e);
      if (t) out.links[*name] = ResolveLink(*name, t);
      continue;
    }
    if (const char* hl = archive_entry_hardlink(e)) {
      auto target = CleanEntryPath(hl);
      if (target.ok()) out.links[*name] = *target;
      continue;
    }
    if (type != AE_IFREG) continue;
    out.files.insert(*name);
    int64_t size = archive_entry_size(e);
    if (size <= kMaxSmallEntry && kept + size <= kMaxSmallTotal) {
      std::string data;
      data.resize(static_cast<size_t>(size));
      la_ssize_t n = size > 0 ? archive_read_data(a->get(), data.data(), data.size()) : 0;
      if (n < 0 || n != size)
        return Bad("truncated or corrupt tar: reading " + *name + ": " + ArchiveError(a->get()));
      kept += size;
      out.small[*name] = std::move(data);
    }
  }
  if (!any) return Bad("empty archive (not a docker save or OCI archive)");
  return out;
}

// A layer to read in the second pass.
struct Need {
  std::string diff_id;
  std::string blob_digest;  // "" when the format gives none to check
};

class Loader {
 public:
  Loader(const Listing& l, const StagingContext& ctx) : l_(l), ctx_(ctx) {}

  Status PlanDocker();
  Status PlanOci();
  Status SecondPass(const std::string& path);
  ArchiveContents Take() { return std::move(out_); }

 private:
  std::string Resolve(std::string name) const {
    for (int i = 0; i < 8; ++i) {
      auto it = l_.links.find(name);
      if (it == l_.links.end()) break;
      name = it->second;
    }
    return name;
  }
  StatusOr<std::string> Small(const std::string& name, const std::string& what) const {
    std::string n = Resolve(name);
    auto it = l_.small.find(n);
    if (it != l_.small.end()) return it->second;
    if (l_.files.count(n)) return Bad(what + " " + name + " is too large");
    return Bad(what + " " + name + " is missing");
  }
  StatusOr<std::string> Blob(const Descriptor& d, const std::string& what) const {
    auto data = Small("blobs/sha256/" + d.digest.substr(7), what);
    if (!data.ok()) return data.status();
    if (Sha256Digest(*data) != d.digest) return Bad(what + " " + d.digest + ": digest mismatch");
    if (d.size >= 0 && static_cast<int64_t>(data->size()) != d.size)
      return Bad(what + " " + d.digest + ": size mismatch");
    return data;
  }
  Status AddLayers(PreparedImage& img, const std::vector<std::string>& names,
                   const std::vector<std::string>& blob_digests);
  Status AddOciManifest(const Descriptor& top, const Descriptor& d, int depth);

  const Listing& l_;
  const StagingContext& ctx_;
  ArchiveContents out_;
  std::map<std::string, Need> needs_;  // archive entry -> what it must be
};

Status Loader::AddLayers(PreparedImage& img, const std::vector<std::string>& names,
                         const std::vector<std::string>& blob_digests) {
  if (names.size() != img.diff_ids.size()) {
    return Bad("image " + img.id + " lists " + std::to_string(names.size()) +
               " layers but its config has " + std::to_string(img.diff_ids.size()) + " diff ids");
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (ctx_.has_layer(img.diff_ids[i])) continue;
    std::string entry = Resolve(names[i]);
    if (!l_.files.count(entry)) return Bad("layer " + names[i] + " is missing from the archive");
    Need need{img.diff_ids[i], blob_digests[i]};
    auto [it, inserted] = needs_.emplace(entry, need);
    if (!inserted && (it->second.diff_id != need.diff_id)) {
      return Bad("layer " + names[i] + " is claimed by diff ids " + it->second.diff_id + " and " +
                 need.diff_id + ": diff id mismatch");
    }
  }
  return Status::Ok();
}

Status Loader::PlanDocker() {
  auto text = Small("manifest.json", "");
  if (!text.ok()) return text.status();
  auto manifest = ParseJson(*text);
  if (!manifest.ok() || !manifest->is_array())
    return Bad("manifest.json is not a JSON array");
  for (const Json& m : *manifest) {
    std::string config_name = GetString(m, {"Config"});
    const Json* layers = Find(m, {"Layers"});
    if (config_name.empty() || !layers || !layers->is_array())
      return Bad("manifest.json entry without Config or Layers");
    auto config_text = Small(config_name, "config");
    if (!config_text.ok()) return config_text.status();
    PreparedImage img;
    img.id = Sha256Digest(*config_text);
    // The config's file name is its digest ("<hex>.json", or "blobs/sha256/<hex>").
    std::string base = config_name.substr(config_name.rfind('/') + 1);
    if (base.size() >= 64 && base.find_first_not_of("0123456789abcdef") >= 64) {
      std::string named = "sha256:" + base.substr(0, 64);
      if (named != img.id) return Bad("config " + config_name + ": digest mismatch (content is " + img.id + ")");
    }
    auto config = ParseJson(*config_text);
    if (!config.ok()) return Bad("config " + config_name + " is not JSON");
    auto diff_ids = ConfigDiffIds(*config);
    if (!diff_ids.ok()) return Bad(config_name + ": " + diff_ids.status().message());
    img.diff_ids = *diff_ids;
    if (const Json* c = Find(*config, {"config"}); c && c->is_object()) img.config = *c;
    img.blobs.emplace_back(img.id, *config_text);
    if (const Json* tags = Find(m, {"RepoTags"}); tags && tags->is_array()) {
      for (const Json& t : *tags) {
        if (!t.is_string()) return Bad("manifest.json has a non-string RepoTag");
        auto ref = ParseImageRef(t.get<std::string>());
        if (!ref.ok()) return Bad("RepoTags: " + ref.status().message());
        if (!ref->digest.empty()) return Bad("RepoTags entry " + t.get<std::string>() + " has a digest");
        img.repo_tags.push_back(ref->String());
      }
    }
    std::vector<std::string> names, digests;
    for (const Json& l : *layers) {
      if (!l.is_string()) return Bad("manifest.json has a non-string layer path");
      names.push_back(l.get<std::string>());
      // Docker 25+ writes OCI-style "blobs/sha256/<hex>": that name is a digest to check.
      std::string clean = Resolve(l.get<std::string>());
      std::string d = clean.rfind("blobs/sha256/", 0) == 0 ? "sha256:" + clean.substr(13) : "";
      digests.push_back(IsSha256Digest(d) ? d : "");
    }
    MINIK_RETURN_IF_ERROR(AddLayers(img, names, digests));
    out_.images.push_back(std::move(img));
  }
  if (out_.images.empty()) return Bad("manifest.json lists no images");
  return Status::Ok();
}

Status Loader::AddOciManifest(const Descriptor& top, const Descriptor& d, int depth) {
  auto text = Blob(d, "manifest");
  if (!text.ok()) return text.status();
  auto body = ParseJson(*text);
  if (!body.ok()) return Bad("manifest " + d.digest + " is not JSON");
  std::string type = ManifestMediaType(*body, d.media_type);
  if (IsIndexMediaType(type)) {
    if (depth >= kMaxIndexDepth) return Bad("image indexes nested too deeply");
    auto pick = PickPlatformManifest(*body);
    if (!pick.ok()) return Bad(pick.status().message());
    return AddOciManifest(top, *pick, depth + 1);
  }
  auto m = ParseImageManifest(*body);
  if (!m.ok()) return Bad("manifest " + d.digest + ": " + m.status().message());
  auto config_text = Blob(m->config, "config");
  if (!config_text.ok()) return config_text.status();
  auto config = ParseJson(*config_text);
  if (!config.ok()) return Bad("config " + m->config.digest + " is not JSON");
  auto diff_ids = ConfigDiffIds(*config);
  if (!diff_ids.ok()) return Bad("config " + m->config.digest + ": " + diff_ids.status().message());
  PreparedImage img;
  img.id = m->config.digest;
  img.diff_ids = *diff_ids;
  if (const Json* c = Find(*config, {"config"}); c && c->is_object()) img.config = *c;
  img.blobs.emplace_back(m->config.digest, *config_text);
  img.blobs.emplace_back(d.digest, *text);
  // Tags: containerd's full name, else ref.name when it is a whole reference (a bare tag
  // such as "1.35" names no repository, so the image is loaded untagged).
  std::string name = GetString(top.annotations, {"io.containerd.image.name"});
  if (name.empty()) {
    std::string ref_name = GetString(top.annotations, {"org.opencontainers.image.ref.name"});
    if (ref_name.find_first_of(":/@") != std::string::npos) name = ref_name;
  }
  if (!name.empty()) {
    auto ref = ParseImageRef(name);
    if (!ref.ok()) return Bad("annotation: " + ref.status().message());
    if (!ref->tag.empty()) {
      ImageRef tagged = *ref;
      tagged.digest.clear();
      img.repo_tags.push_back(tagged.String());
    }
    img.repo_digests.push_back(ref->Repository() + "@" + top.digest);
  }
  std::vector<std::string> names, digests;
  for (const Descriptor& l : m->layers) {
    names.push_back("blobs/sha256/" + l.digest.substr(7));
    digests.push_back(l.digest);
  }
  MINIK_RETURN_IF_ERROR(AddLayers(img, names, digests));
  out_.images.push_back(std::move(img));
  return Status::Ok();
}

Status Loader::PlanOci() {
  auto text = Small("index.json", "");
  if (!text.ok()) return text.status();
  auto index = ParseJson(*text);
  if (!index.ok() || !index->is_object()) return Bad("index.json is not a JSON object");
  if (auto layout = Small("oci-layout", ""); layout.ok()) {
    auto lj = ParseJson(*layout);
    if (!lj.ok() || GetString(*lj, {"imageLayoutVersion"}).empty())
      return Bad("oci-layout is malformed");
  }
  const Json* manifests = Find(*index, {"manifests"});
  if (!manifests || !manifests->is_array() || manifests->empty())
    return Bad("index.json lists no manifests");
  for (size_t i = 0; i < manifests->size(); ++i) {
    auto d = ParseDescriptor((*manifests)[i], "index.json entry " + std::to_string(i));
    if (!d.ok()) return Bad(d.status().message());
    // A platform-specific entry at the top level: skip other platforms when several exist.
    if (const Json* p = Find((*manifests)[i], {"platform"}); p && manifests->size() > 1) {
      if (GetString(*p, {"os"}) != kPlatformOs || GetString(*p, {"architecture"}) != kPlatformArch)
        continue;
    }
    MINIK_RETURN_IF_ERROR(AddOciManifest(*d, *d, 0));
  }
  if (out_.images.empty()) {
    auto pick = PickPlatformManifest(*index);  // for its message naming the platforms
    return Bad(pick.ok() ? "index.json has no usable manifest" : pick.status().message());
  }
  return Status::Ok();
}

Status Loader::SecondPass(const std::string& path) {
  if (needs_.empty()) return Status::Ok();
  auto a = OpenOuter(path);
  if (!a.ok()) return a.status();
  std::set<std::string> done;
  while (done.size() < needs_.size()) {
    archive_entry* e;
    int r = archive_read_next_header(a->get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) return Bad("truncated or corrupt tar: " + ArchiveError(a->get()));
    const char* raw = archive_entry_pathname(e);
    if (!raw || archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e)) continue;
    auto name = CleanEntryPath(raw);
    if (!name.ok()) continue;
    auto it = needs_.find(*name);
    if (it == needs_.end() || done.count(*name)) continue;
    done.insert(*name);
    const Need& need = it->second;
    if (ctx_.has_layer(need.diff_id)) continue;
    bool staged = false;
    for (const auto& s : out_.layers) staged = staged || s.diff_id == need.diff_id;
    if (staged) continue;
    archive* outer = a->get();
    int64_t expect = 0;
    BlobReader reader = [&](const void** data) -> StatusOr<size_t> {
      while (true) {
        size_t n = 0;
        la_int64_t off = 0;
        int rr = archive_read_data_block(outer, data, &n, &off);
        if (rr == ARCHIVE_EOF) return size_t{0};
        if (rr < ARCHIVE_WARN)
          return Bad("truncated or corrupt tar: reading " + *name + ": " + ArchiveError(outer));
        if (off != expect) return Bad("layer " + *name + " is a sparse file");
        expect += static_cast<int64_t>(n);
        if (n > 0) return n;
      }
    };
    std::string dir = ctx_.new_tmp_dir();
    auto layer = UnpackLayer(reader, dir, !need.blob_digest.empty());
    if (!layer.ok()) {
      Status st = layer.status();
      return Status(st.code(), st.message().rfind("image archive", 0) == 0
                                   ? st.message()
                                   : "image archive: " + *name + ": " + st.message());
    }
    if (!need.blob_digest.empty() && layer->blob_digest != need.blob_digest)
      return Bad("layer " + *name + ": digest mismatch: expected " + need.blob_digest + ", got " +
                 layer->blob_digest);
    if (layer->diff_id != need.diff_id)
      return Bad("layer " + *name + ": diff id mismatch: the config says " + need.diff_id +
                 ", the content is " + layer->diff_id);
    out_.layers.push_back({need.diff_id, dir, layer->size});
  }
  for (const auto& [name, need] : needs_) {
    if (!done.count(name)) return Bad("truncated: layer " + name + " is missing");
  }
  return Status::Ok();
}

}  // namespace

StatusOr<ArchiveContents> ReadImageArchive(const std::string& path, const StagingContext& ctx) {
  auto listing = FirstPass(path);
  if (!listing.ok()) return listing.status();
  Loader loader(*listing, ctx);
  if (listing->small.count("manifest.json")) {
    MINIK_RETURN_IF_ERROR(loader.PlanDocker());
  } else if (listing->small.count("index.json")) {
    MINIK_RETURN_IF_ERROR(loader.PlanOci());
  } else {
    return Bad("neither manifest.json nor index.json found: not a docker save or OCI archive");
  }
  MINIK_RETURN_IF_ERROR(loader.SecondPass(path));
  return loader.Take();
}

}  // namespace minik
