"""The HTML report renders in headless Chromium without script errors and with every figure decoded.

Skips when no Chromium is installed (Debian: ``apt-get install chromium``).
"""

import re
import shutil
import subprocess

import pytest

from lrtcheck.report import write_report

from .test_report import SIDECAR, _frame  # noqa: E402  (importlib mode resolves the package-relative import)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=5000"]


def test_report_renders_in_headless_chromium(tmp_path):
    page = write_report(_frame(), tmp_path, sidecar=SIDECAR)["html"]
    profile = tmp_path / "profile"
    dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body[^>]*>", dom.stdout)
    assert body is not None
    tag = body.group(0)
    assert 'data-figures="4"' in tag and 'data-figures-ok="true"' in tag, tag
    assert "data-errors" not in tag, tag
    shot = tmp_path / "shot.png"
    run = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", f"--screenshot={shot}",
                          "--window-size=1280,2000", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and shot.stat().st_size > 10_000
