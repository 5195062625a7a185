#!/usr/bin/env python3
"""Copy the front-end libraries from node_modules/ into feidi/static/vendor/.

Feidi serves every script and stylesheet itself (a closed government intranet has no CDN), so the
files npm installed are copied into the static tree, where collectstatic and whitenoise pick them
up. feidi/static/vendor/ is git-ignored: this script, run by ``make setup``, recreates it.

Idempotent: a file whose content is already in place is left alone (its mtime too). Files in
vendor/ that are not in the list below are removed, so the directory holds exactly what the
templates may use. A missing source file stops the script with its path and exit status 1.

Source maps are copied beside tabler.min.css and tabler.min.js because both end in a
``sourceMappingURL`` comment, and Django's ManifestStaticFilesStorage (whitenoise's compressed
variant) fails collectstatic when such a reference points at a missing file.

Standard library only. Usage: python3 scripts/vendor.py [--check]
  --check  change nothing; exit 1 if vendor/ is missing or out of date.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "feidi" / "static" / "vendor"

# (source under node_modules/, destination under feidi/static/vendor/)
FILES: list[tuple[str, str]] = [
    ("@tabler/core/dist/css/tabler.min.css", "tabler/css/tabler.min.css"),
    ("@tabler/core/dist/css/tabler.min.css.map", "tabler/css/tabler.min.css.map"),
    ("@tabler/core/dist/js/tabler.min.js", "tabler/js/tabler.min.js"),
    ("@tabler/core/dist/js/tabler.min.js.map", "tabler/js/tabler.min.js.map"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("echarts/dist/echarts.min.js", "echarts/echarts.min.js"),
]


def fail(message: str) -> None:
    print(f"vendor.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def copy_atomically(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dst)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 when out of date")
    args = parser.parse_args()

    if not NODE_MODULES.is_dir():
        fail(f"{NODE_MODULES} does not exist: run `npm ci` (or `make setup`) first")
    missing = [src for src, _ in FILES if not (NODE_MODULES / src).is_file()]
    if missing:
        fail("missing in node_modules (run `npm ci`; did a package change its layout?):\n  "
             + "\n  ".join(str(NODE_MODULES / m) for m in missing))

    wanted = {VENDOR / dst for _, dst in FILES}
    stale = sorted(p for p in VENDOR.rglob("*") if p.is_file() and p not in wanted) if VENDOR.is_dir() else []
    changed = [(NODE_MODULES / src, VENDOR / dst) for src, dst in FILES
               if not (VENDOR / dst).is_file() or not filecmp.cmp(NODE_MODULES / src, VENDOR / dst, shallow=False)]

    if args.check:
        for _, dst in changed:
            print(f"out of date: {dst.relative_to(ROOT)}")
        for path in stale:
            print(f"not ours:    {path.relative_to(ROOT)}")
        sys.exit(1 if changed or stale else 0)

    for src, dst in changed:
        copy_atomically(src, dst)
    for path in stale:
        path.unlink()
    if VENDOR.is_dir():  # drop directories left empty by removed files
        for d in sorted((p for p in VENDOR.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
            if not any(d.iterdir()):
                d.rmdir()

    total = sum((VENDOR / dst).stat().st_size for _, dst in FILES)
    note = f"{len(changed)} copied, {len(stale)} removed" if changed or stale else "up to date"
    print(f"vendor: {len(FILES)} files in {VENDOR.relative_to(ROOT)}/ ({total / 1024:,.0f} KiB, {note})")


if __name__ == "__main__":
    main()
