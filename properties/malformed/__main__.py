"""``python -m properties.malformed [--write-known] [--package P ...]``: run the malformed-input suite.

Prints the failing cases, a count per package and per kind of outcome, and the size of the suite. With
``--write-known`` it rewrites ``known_failures.txt`` for the packages run (other packages' lines are kept).
"""

from __future__ import annotations

import argparse
import collections
import time

from . import KNOWN_FILE, PACKAGES, known_failures, run_package

HEADER = ("# Malformed-input cases that fail on the current code: package | entry | parameter | value | outcome.\n"
          "# Regenerate with: CI=1 python -m properties.malformed --write-known   (the list may only shrink)\n")


def kind(line: str) -> str:
    out = line.rsplit(" | ", 1)[1]
    return "timeout" if out.startswith("timeout") else out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m properties.malformed")
    ap.add_argument("--write-known", action="store_true", help="rewrite known_failures.txt")
    ap.add_argument("--package", action="append", choices=PACKAGES, help="only these packages (repeatable)")
    ap.add_argument("--quiet", action="store_true", help="do not list the failing cases")
    args = ap.parse_args(argv)
    packages = args.package or list(PACKAGES)
    all_fails, kinds = [], collections.Counter()
    n_entries = n_cases = 0
    for pkg in packages:
        t0 = time.perf_counter()
        fails, e, n = run_package(pkg)
        n_entries, n_cases = n_entries + e, n_cases + n
        all_fails += fails
        kinds.update(kind(f) for f in fails)
        print(f"{pkg:10s} entries {e:4d}  cases {n:5d}  failing {len(fails):4d}  ({time.perf_counter() - t0:.1f} s)",
              flush=True)
    if not args.quiet:
        print("\n".join(all_fails))
    print(f"total: {n_entries} entry points, {n_cases} cases, {len(all_fails)} failing")
    for k, c in kinds.most_common():
        print(f"  {k}: {c}")
    if args.write_known:
        keep = [ln for ln in known_failures() if ln.split(" | ", 1)[0] not in packages]
        KNOWN_FILE.write_text(HEADER + "\n".join(sorted(keep + all_fails)) + "\n")
        print(f"wrote {KNOWN_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
