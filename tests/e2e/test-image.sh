#!/usr/bin/env bash
# test-image.sh NAME [CACHE_DIR] (a copy of ../shared/acceptance/images.sh, so the e2e tests
# need nothing outside the repository) — builds a small test image as a `docker save` tarball and
# prints its path. Images are made from Debian packages, so no outside registry is needed.
#   busybox   busybox:1.35 — Debian's busybox-static with every applet linked into /bin
#             (sh, sleep, httpd, nc, wget, tar, id, ps, ...); Cmd ["sh"]
#   busybox2  busybox:1.35-b — the same files with a different label, so its image ID
#             differs (for rolling-update tests)
set -euo pipefail
name=${1:?usage: images.sh busybox|busybox2 [CACHE_DIR]}
cache=${2:-/tmp/minik-acc-cache}
mkdir -p "$cache"
out=$cache/$name.tar
[[ -s $out ]] && { echo "$out"; exit 0; }

case $name in
  busybox) tag=busybox:1.35 label=a ;;
  busybox2) tag=busybox:1.35-b label=b ;;
  *) echo "images.sh: unknown image $name" >&2; exit 2 ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
deb=$(ls "$cache"/busybox-static_*.deb 2>/dev/null | head -n 1 || true)
if [[ -z $deb ]]; then
  (cd "$cache" && apt-get download busybox-static >/dev/null 2>&1) ||
    { apt-get update -qq >/dev/null 2>&1 && (cd "$cache" && apt-get download busybox-static >/dev/null); }
  deb=$(ls "$cache"/busybox-static_*.deb | head -n 1)
fi

root=$work/rootfs
mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,root,var/www}
dpkg-deb -x "$deb" "$work/pkg"
cp "$work/pkg/bin/busybox" "$root/bin/busybox"
for applet in $("$root/bin/busybox" --list); do
  [[ $applet == busybox ]] || ln -sf busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
echo "minik test image $tag" >"$root/var/www/index.html"
chmod 1777 "$root/tmp"

layer=$work/layer.tar
tar --numeric-owner --owner=0 --group=0 --sort=name --mtime=@0 -C "$root" -cf "$layer" .
diff_id=$(sha256sum "$layer" | cut -d' ' -f1)
config=$(printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/","Labels":{"minik.test":"%s"}},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"images.sh"}]}' "$label" "$diff_id")
config_id=$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)

img=$work/img
mkdir -p "$img/$diff_id"
mv "$layer" "$img/$diff_id/layer.tar"
printf '%s' "$config" >"$img/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_id" "$tag" "$diff_id" >"$img/manifest.json"
printf '{"%s":{"%s":"%s"}}' "${tag%%:*}" "${tag#*:}" "$config_id" >"$img/repositories"
tar -C "$img" -cf "$out.tmp" .
mv "$out.tmp" "$out"
echo "$out"
