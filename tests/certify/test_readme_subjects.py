"""Every command of the README's "Certifying your own implementation" section runs as written, in a fresh
directory holding the files the section writes, with the exit status and the output lines it states."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from lrtcheck.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("venn_abers", reason="the section certifies the venn-abers package ([test] extras)")
pytestmark = pytest.mark.filterwarnings("ignore:All-NaN slice encountered:RuntimeWarning")


def _section() -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index("## Certifying your own implementation")
    return text[start:text.index("\n## ", start + 3)]


def _blocks(section: str):
    return re.findall(r"```(\w+)\n(.*?)```", section, flags=re.S)


def test_the_readme_subject_section_runs_as_written(tmp_path, monkeypatch, capsys):
    section = _section()
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    ran = 0
    for lang, body in _blocks(section):
        if lang == "python":
            first = body.splitlines()[0]
            assert first.startswith("# ") and first.endswith(".py"), first
            (tmp_path / first[2:].strip()).write_text(body)
            continue
        assert lang == "console"
        for line in body.splitlines():
            assert line.startswith("$ "), line
            cmd, _, comment = line[2:].partition("  # ")
            expected = int(comment.split("exit")[1]) if "exit" in comment else 0
            argv = shlex.split(cmd)
            if argv[0] == "lrtcheck":
                rc = cli_main(argv[1:])
                out = capsys.readouterr().out
            else:
                env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]), "CI": "1"}
                proc = subprocess.run([sys.executable if argv[0] == "python" else argv[0], *argv[1:],
                                       "-p", "no:cacheprovider"], cwd=tmp_path, env=env, capture_output=True,
                                      text=True, timeout=600)
                rc, out = proc.returncode, proc.stdout + proc.stderr
            assert rc == expected, f"{cmd}: exit {rc}, expected {expected}\n{out[-3000:]}"
            if "certify --subject csar.venn_abers=my_va:subject --out" in cmd:
                said = re.search(r"\(`(subject csar\.venn_abers=my_va:subject .*?)`\)", section, flags=re.S)
                assert said and " ".join(said.group(1).split()) in out, out
            ran += 1
    assert ran >= 5
    assert (tmp_path / "reports" / "my-va" / "results.csv").exists()
