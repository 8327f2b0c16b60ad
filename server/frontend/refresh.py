#!/usr/bin/env python3
"""Refresh the browser libraries vendored under server/ppkg/web/static/vendor/.

The exact versions are pinned in package.json and package-lock.json beside this file. The script
runs `npm ci` in a temporary directory (no node_modules is ever left in the repository), copies
only the built files each page needs (minified JS, CSS, whatever the CSS references through
url(...), and each package's licence) into vendor/<name>/, and writes vendor/VERSIONS.json with
every file's size and sha256. Files are copied byte for byte and VERSIONS.json is written with
sorted keys and no time stamp, so two runs with the same lockfile give the same bytes.

    python server/frontend/refresh.py            # re-vendor the pinned versions
    python server/frontend/refresh.py --check    # exit 1 if vendor/ differs from what npm gives
    python server/frontend/refresh.py --upgrade  # move every package to its latest version first

vendor/ belongs to this script: it is rebuilt whole on every run, so nothing is to be edited there
by hand.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
VENDOR = REPO / "server" / "ppkg" / "web" / "static" / "vendor"
MAX_FILE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Library:
    name: str  # the folder under vendor/
    package: str  # the npm package
    files: dict[str, str]  # path inside the package -> path inside vendor/<name>/
    licence_files: tuple[str, ...] = ()  # paths inside the package, copied under their base names
    # A licence text kept beside this script, for a package whose tarball ships none.
    licence_fallback: str | None = None
    note: str = ""


LIBRARIES: tuple[Library, ...] = (
    Library(
        name="yasgui",
        package="@zazuko/yasgui",
        files={
            # UMD bundle (window.Yasgui) with YASQE, YASR and their dependencies inside.
            "build/yasgui.min.js": "yasgui.min.js",
            "build/yasgui.min.css": "yasgui.min.css",
        },
        licence_fallback="licenses/zazuko-yasgui.LICENSE",
        note="The npm tarball has no LICENSE file; LICENSE is the MIT text of the rdfjs/Yasgui repository.",
    ),
    Library(
        name="vis-timeline",
        package="vis-timeline",
        files={
            # The standalone build carries vis-data, moment and its other peers, and injects its CSS.
            "standalone/umd/vis-timeline-graph2d.min.js": "vis-timeline-graph2d.min.js",
            "styles/vis-timeline-graph2d.min.css": "vis-timeline-graph2d.min.css",
        },
        licence_files=("LICENSE.md", "LICENSE.Apache-2.0.txt", "LICENSE.MIT.txt"),
    ),
    Library(
        name="cytoscape",
        package="cytoscape",
        files={"dist/cytoscape.min.js": "cytoscape.min.js"},  # UMD (window.cytoscape), no CSS
        licence_files=("LICENSE",),
    ),
    Library(
        name="chart.js",
        package="chart.js",
        files={"dist/chart.umd.min.js": "chart.umd.min.js"},  # UMD (window.Chart), no CSS
        licence_files=("LICENSE.md",),
    ),
    Library(
        name="shacl-form",
        package="@ulb-darmstadt/shacl-form",
        files={
            # An ES module with every dependency inside (n3, jsonld, rdf-validate-shacl, ...);
            # it defines <shacl-form> with the default theme. Load it with <script type="module">.
            "dist/form-default.js": "form-default.js",
            "dist/form-default.js.LICENSE.txt": "form-default.js.LICENSE.txt",
            # The two plugins that need nothing from outside (leaflet and mapbox fetch map tiles).
            "dist/plugins/fixed-list.js": "plugins/fixed-list.js",
            "dist/plugins/file-upload.js": "plugins/file-upload.js",
        },
        licence_files=("LICENSE",),
    ),
)

CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""")
CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'");\s]+)""")


def log(message: str) -> None:
    print(message, file=sys.stderr)


def run(cmd: list[str], cwd: Path) -> None:
    log("$ " + " ".join(cmd))
    subprocess.run(cmd, cwd=cwd, check=True, stdout=sys.stderr)


def npm_install(workdir: Path, upgrade: bool) -> None:
    for name in ("package.json", "package-lock.json", ".npmrc"):
        shutil.copyfile(HERE / name, workdir / name)
    if upgrade:
        specs = [f"{lib.package}@latest" for lib in LIBRARIES]
        run(["npm", "install", "--save-exact", "--ignore-scripts", "--no-audit", "--no-fund", *specs], workdir)
    # npm ci installs exactly the lockfile and fails if package.json disagrees with it.
    run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], workdir)


def css_references(css: str) -> list[str]:
    refs = [m.group(2).strip() for m in CSS_URL.finditer(css)]
    refs += [m.group(1).strip() for m in CSS_IMPORT.finditer(css)]
    return [r for r in refs if not r.startswith(("data:", "#"))]


def copy_library(lib: Library, node_modules: Path, out: Path) -> dict:
    pkg_dir = node_modules / lib.package
    meta = json.loads((pkg_dir / "package.json").read_text(encoding="utf-8"))
    dest_dir = out / lib.name
    copied: dict[str, Path] = {}  # path inside vendor/<name>/ -> source file

    for src, dest in lib.files.items():
        copied[dest] = pkg_dir / src
    # Fonts, images and stylesheets that a CSS file names travel with it, at the same relative path.
    for src, dest in list(lib.files.items()):
        if not src.endswith(".css"):
            continue
        for ref in css_references((pkg_dir / src).read_text(encoding="utf-8")):
            target = ref.split("?", 1)[0].split("#", 1)[0]
            if re.match(r"^([a-z][a-z0-9+.-]*:|//)", target, re.I):
                raise SystemExit(f"{lib.package}/{src} loads {ref!r} from outside: it would not work offline")
            src_ref = os.path.normpath(os.path.join(os.path.dirname(src), target))
            dest_ref = str(PurePosixPath(os.path.normpath(os.path.join(os.path.dirname(dest), target))))
            if src_ref.startswith("..") or dest_ref.startswith(".."):
                raise SystemExit(f"{lib.package}/{src} references {ref!r} outside its package")
            copied[dest_ref] = pkg_dir / src_ref
    for licence in lib.licence_files:
        copied[PurePosixPath(licence).name] = pkg_dir / licence
    if lib.licence_fallback:
        if any((pkg_dir / n).exists() for n in ("LICENSE", "LICENSE.md", "LICENSE.txt")):
            raise SystemExit(f"{lib.package} now ships a licence file: list it in licence_files instead")
        copied["LICENSE"] = HERE / lib.licence_fallback
    if not lib.licence_files and not lib.licence_fallback:
        raise SystemExit(f"{lib.name}: no licence file")

    files = {}
    for dest, src in sorted(copied.items()):
        if not src.is_file():
            raise SystemExit(f"{lib.package}@{meta['version']}: {src} is missing")
        data = src.read_bytes()
        if len(data) > MAX_FILE_BYTES:
            raise SystemExit(f"{lib.package}: {dest} is {len(data)} bytes, over the {MAX_FILE_BYTES} limit")
        target = dest_dir / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        files[dest] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    entry = {
        "name": lib.name,
        "package": lib.package,
        "version": meta["version"],
        "licence": meta.get("license"),
        "homepage": meta.get("homepage"),
        "files": files,
    }
    if lib.note:
        entry["note"] = lib.note
    return entry


def lock_integrity(lock: dict, package: str) -> str | None:
    return lock["packages"].get(f"node_modules/{package}", {}).get("integrity")


def build(out: Path, upgrade: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="ppkg-frontend-") as tmp:
        workdir = Path(tmp)
        npm_install(workdir, upgrade)
        lock = json.loads((workdir / "package-lock.json").read_text(encoding="utf-8"))
        entries = []
        for lib in LIBRARIES:
            entry = copy_library(lib, workdir / "node_modules", out)
            entry["integrity"] = lock_integrity(lock, lib.package)
            entries.append(entry)
        if upgrade:
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(workdir / name, HERE / name)
    versions = {
        "comment": "Written by server/frontend/refresh.py from server/frontend/package-lock.json; do not edit.",
        "libraries": entries,
    }
    (out / "VERSIONS.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def same_tree(a: Path, b: Path) -> bool:
    def listing(root: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    if listing(a) != listing(b):
        return False
    return all(filecmp.cmp(a / rel, b / rel, shallow=False) for rel in listing(a))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="change nothing; exit 1 if vendor/ is not what npm gives")
    mode.add_argument("--upgrade", action="store_true", help="move every package to its latest version (rewrites the lockfile)")
    args = parser.parse_args(argv)

    if shutil.which("npm") is None:
        raise SystemExit("npm is needed (node 20 or later)")
    with tempfile.TemporaryDirectory(prefix="ppkg-vendor-") as tmp:
        staged = Path(tmp) / "vendor"
        staged.mkdir()
        build(staged, args.upgrade)
        if args.check:
            if VENDOR.is_dir() and same_tree(staged, VENDOR):
                log(f"{VENDOR.relative_to(REPO)} is up to date")
                return 0
            log(f"{VENDOR.relative_to(REPO)} differs from what refresh.py gives: run it and commit")
            return 1
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        shutil.copytree(staged, VENDOR)
    total = sum(p.stat().st_size for p in VENDOR.rglob("*") if p.is_file())
    for p in sorted(VENDOR.rglob("*")):
        if p.is_file():
            log(f"{p.stat().st_size:>10}  {p.relative_to(VENDOR)}")
    log(f"{total:>10}  total in {VENDOR.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
