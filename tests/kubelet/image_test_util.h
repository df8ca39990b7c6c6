// Builders of layer tars, `docker save` tarballs and OCI archives for the image store tests.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "api/json.h"
#include "kubelet/images/digest.h"

namespace minik::testing {

struct TarEntry {
  TarEntry(std::string n, char t = 'f', std::string d = "", int m = 0644, int u = 0, int g = 0,
           int dev_maj = 0, int dev_min = 0, std::vector<std::pair<std::string, std::string>> x = {})
      : name(std::move(n)), type(t), data(std::move(d)), mode(m), uid(u), gid(g), dev_major(dev_maj),
        dev_minor(dev_min), xattrs(std::move(x)) {}
  std::string name;
  char type = 'f';  // f file, d dir, l symlink, h hardlink, c char device, p fifo
  std::string data;  // file content; link target for l and h
  int mode = 0644;
  int uid = 0, gid = 0;
  int dev_major = 0, dev_minor = 0;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

inline la_ssize_t AppendToString(archive*, void* client, const void* buf, size_t n) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// compression: "" (none), "gzip", "zstd".
inline std::string MakeTar(const std::vector<TarEntry>& entries, const std::string& compression = "") {
  std::string out;
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (compression == "gzip") archive_write_add_filter_gzip(a);
  if (compression == "zstd") archive_write_add_filter_zstd(a);
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(a, &out, nullptr, AppendToString, nullptr);
  for (const auto& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    archive_entry_set_uid(ae, e.uid);
    archive_entry_set_gid(ae, e.gid);
    archive_entry_set_mtime(ae, 1000000000, 0);
    archive_entry_set_perm(ae, static_cast<mode_t>(e.mode));
    for (const auto& [k, v] : e.xattrs) archive_entry_xattr_add_entry(ae, k.c_str(), v.data(), v.size());
    switch (e.type) {
      case 'd': archive_entry_set_filetype(ae, AE_IFDIR); break;
      case 'l':
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_symlink(ae, e.data.c_str());
        break;
      case 'h':
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_hardlink(ae, e.data.c_str());
        break;
      case 'c':
        archive_entry_set_filetype(ae, AE_IFCHR);
        archive_entry_set_rdevmajor(ae, static_cast<dev_t>(e.dev_major));
        archive_entry_set_rdevminor(ae, static_cast<dev_t>(e.dev_minor));
        break;
      case 'p': archive_entry_set_filetype(ae, AE_IFIFO); break;
      default:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
    }
    archive_write_header(a, ae);
    if (e.type == 'f' && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

inline std::string Hex(const std::string& digest) { return digest.substr(7); }

struct TestImage {
  std::vector<std::string> layers;  // layer tars (possibly compressed)
  std::vector<std::string> diff_ids;  // of the uncompressed tars
  std::string config;
  std::string id;
};

// An image whose layers are `uncompressed` tars, stored compressed with `compression`.
inline TestImage MakeImage(const std::vector<std::string>& uncompressed, const std::string& label = "a",
                           const std::string& arch = "amd64", const std::string& compression = "") {
  TestImage img;
  Json diff_ids = Json::array();
  for (const auto& l : uncompressed) {
    img.diff_ids.push_back(Sha256Digest(l));
    diff_ids.push_back(img.diff_ids.back());
    img.layers.push_back(l);
  }
  if (!compression.empty()) {
    // Recompress: rebuild from the entries is not possible here, so wrap the tar bytes.
    for (auto& l : img.layers) {
      std::string out;
      archive* a = archive_write_new();
      archive_write_set_format_raw(a);
      if (compression == "gzip") archive_write_add_filter_gzip(a);
      if (compression == "zstd") archive_write_add_filter_zstd(a);
      archive_write_open(a, &out, nullptr, AppendToString, nullptr);
      archive_entry* ae = archive_entry_new();
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_write_header(a, ae);
      archive_write_data(a, l.data(), l.size());
      archive_entry_free(ae);
      archive_write_close(a);
      archive_write_free(a);
      l = out;
    }
  }
  Json config = {{"architecture", arch},
                 {"os", "linux"},
                 {"config", {{"Env", {"PATH=/bin"}}, {"Cmd", {"sh"}}, {"Labels", {{"l", label}}}}},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
  img.config = config.dump();
  img.id = Sha256Digest(img.config);
  return img;
}

// A `docker save` tarball: manifest.json, <config hex>.json, <diffid hex>/layer.tar.
inline std::string MakeDockerArchive(const std::vector<std::pair<TestImage, std::vector<std::string>>>& images) {
  std::vector<TarEntry> entries;
  Json manifest = Json::array();
  for (const auto& [img, tags] : images) {
    Json layers = Json::array();
    for (size_t i = 0; i < img.layers.size(); ++i) {
      std::string dir = Hex(img.diff_ids[i]);
      entries.push_back({dir + "/", 'd', "", 0755});
      entries.push_back({dir + "/layer.tar", 'f', img.layers[i]});
      layers.push_back(dir + "/layer.tar");
    }
    entries.push_back({Hex(img.id) + ".json", 'f', img.config});
    manifest.push_back({{"Config", Hex(img.id) + ".json"}, {"RepoTags", tags}, {"Layers", layers}});
  }
  entries.push_back({"manifest.json", 'f', manifest.dump()});
  return MakeTar(entries);
}

struct OciBlobs {
  std::vector<TarEntry> entries;
  std::string Add(const std::string& data) {
    std::string d = Sha256Digest(data);
    for (const auto& e : entries)
      if (e.name == "blobs/sha256/" + Hex(d)) return d;
    entries.push_back({"blobs/sha256/" + Hex(d), 'f', data});
    return d;
  }
};

inline Json OciManifestFor(OciBlobs& blobs, const TestImage& img, const std::string& layer_type) {
  Json layers = Json::array();
  for (const auto& l : img.layers)
    layers.push_back({{"mediaType", layer_type}, {"digest", blobs.Add(l)}, {"size", l.size()}});
  return {{"schemaVersion", 2},
          {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
          {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                      {"digest", blobs.Add(img.config)},
                      {"size", img.config.size()}}},
          {"layers", layers}};
}

// An OCI archive with one index.json entry per image (annotated with `ref_name`).
inline std::string MakeOciArchive(const std::vector<std::pair<TestImage, std::string>>& images,
                                  const std::string& layer_type = "application/vnd.oci.image.layer.v1.tar+gzip") {
  OciBlobs blobs;
  Json manifests = Json::array();
  for (const auto& [img, ref_name] : images) {
    std::string m = OciManifestFor(blobs, img, layer_type).dump();
    Json desc = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                 {"digest", blobs.Add(m)},
                 {"size", m.size()}};
    if (!ref_name.empty()) desc["annotations"] = {{"org.opencontainers.image.ref.name", ref_name}};
    manifests.push_back(desc);
  }
  std::vector<TarEntry> entries = {{"oci-layout", 'f', R"({"imageLayoutVersion":"1.0.0"})"}};
  entries.push_back({"index.json", 'f', Json{{"schemaVersion", 2}, {"manifests", manifests}}.dump()});
  entries.insert(entries.end(), blobs.entries.begin(), blobs.entries.end());
  return MakeTar(entries);
}

inline std::string WriteTemp(const std::string& dir, const std::string& name, const std::string& data) {
  std::string path = dir + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    (void)!write(fd, data.data(), data.size());
    close(fd);
  }
  return path;
}

inline std::string MakeTempDir(const std::string& prefix = "image") {
  std::string tmpl = "/tmp/minik-" + prefix + "-XXXXXX";
  char* d = mkdtemp(tmpl.data());
  return d ? std::string(d) : std::string();
}

}  // namespace minik::testing
