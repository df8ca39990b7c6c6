#!/usr/bin/env python3
"""Resolves the Debian packages of one image layer (helper of scripts/build-images).

Usage: build_images_resolve.py --have PKGS --exclude PKGS ROOT... (apt options come from the
APT_CONFIG file in the environment, so only Debian's sources are consulted).

Walks Pre-Depends and Depends (never Recommends/Suggests) breadth first from the roots over
the graph `apt-cache depends --recurse` prints. For an alternative group (a | b) or a virtual package, the first choice
that is already selected, provided by a lower layer (--have) or not excluded wins; a group whose
choices are all excluded is dropped -- that is how maintainer-only tools (perl, debconf, ...)
stay out of the image. Prints "name version sha256 filename" for every selected package that
is not in --have, sorted by name, so the same package indexes give the same list.
Exits 1 with a message when a root is unknown.
"""
import argparse
import subprocess
import sys


def apt_depends(names):
    """Returns {pkg: [[(name, [providers]), ...] per dependency group]} for the given packages
    and everything they reach (one `apt-cache depends --recurse`: each apt-cache start costs
    about a second, a walk level by level would cost tens)."""
    out = subprocess.run(
        ["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests", "--no-conflicts",
         "--no-breaks", "--no-replaces", "--no-enhances", *names],
        check=False, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"build_images_resolve: apt-cache depends {' '.join(names)}: {out.stderr.strip()}")
    out = out.stdout
    result = {}
    groups = None
    open_group = False  # the previous dependency line ended with "|"
    for line in out.splitlines():
        if not line.startswith(" "):
            groups = result.setdefault(line.strip(), [])
            open_group = False
            continue
        if line.startswith("    "):  # a provider of the preceding (virtual) name
            groups[-1][-1][1].append(line.strip())
            continue
        alt = line[1] == "|"
        kind, _, name = line[2:].partition(": ")
        if kind not in ("Depends", "PreDepends"):
            open_group = False
            continue
        name = name.strip()
        if name.endswith(":any"):
            name = name[:-4]
        if open_group:
            groups[-1].append((name, []))
        else:
            groups.append([(name, [])])
        open_group = alt
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--have", default="")
    parser.add_argument("--exclude", default="")
    parser.add_argument("roots", nargs="+")
    args = parser.parse_args()
    have = set(args.have.split())
    exclude = set(args.exclude.split())

    selected = set()
    queue = [r for r in args.roots if r not in have]
    selected.update(queue)
    deps = apt_depends(sorted(set(queue)))
    while queue:
        unseen = [p for p in queue if p not in deps]
        if unseen:
            deps.update(apt_depends(sorted(set(unseen))))
        for root in queue:
            if root not in deps:
                sys.exit(f"build_images_resolve: unknown package {root}")
        current, queue = sorted(set(queue)), []
        for pkg in current:
            for group in deps[pkg]:
                choices = []
                for name, providers in group:
                    if name.startswith("<"):
                        choices.extend(providers)
                    else:
                        choices.append(name)
                if any(c in selected or c in have for c in choices):
                    continue
                pick = next((c for c in choices if c not in exclude), None)
                if pick is None:
                    continue
                selected.add(pick)
                queue.append(pick)

    names = sorted(selected - have)
    out = subprocess.run(["apt-cache", "show", "--no-all-versions", *names],
                         check=False, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"build_images_resolve: apt-cache show: {out.stderr.strip()}")
    out = out.stdout
    fields = {}
    rows = {}
    for line in out.splitlines() + [""]:
        if not line:
            if "Package" in fields:
                rows[fields["Package"]] = fields
            fields = {}
            continue
        if line[0] != " " and ": " in line:
            key, _, value = line.partition(": ")
            fields[key] = value
    for name in names:
        if name not in rows:
            sys.exit(f"build_images_resolve: no candidate for {name}")
        f = rows[name]
        print(name, f["Version"], f["SHA256"], f["Filename"])


if __name__ == "__main__":
    main()
