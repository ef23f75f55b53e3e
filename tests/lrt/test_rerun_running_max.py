"""``lrt.running_max`` and ``lrt.running_max.exact_law`` rerun to the byte: their exact law is scipy's
multivariate-normal CDF (Genz's randomised quasi-Monte Carlo quadrature), now given a generator from the check's
stream (it drew fresh entropy before, and a rerun of the full tier differed in the ninth digit)."""

import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ("lrt.running_max", "lrt.running_max.exact_law")


def _rows(out: Path, threads: int) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env.update({"OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads)})
    cmd = [sys.executable, "-m", "lrtcheck.cli", "certify", "--quiet", "--no-figures", "--out", str(out)]
    for c in CHECKS:
        cmd += ["--check", c]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    with open(out / "results.csv", newline="") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def test_running_max_rows_rerun_byte_identical(tmp_path):
    one, two = _rows(tmp_path / "one", 1), _rows(tmp_path / "two", 2)
    assert [r["check_id"] for r in one] == list(CHECKS)
    diffs = [(a["check_id"], k, a[k], b[k]) for a, b in zip(one, two) for k in a if a[k] != b[k]]
    assert not diffs, diffs[:10]
