"""`.ci/run` under CI=true fails when Chromium cannot be installed (skipped browser tests would pass the run
untested); elsewhere it goes on and says why those tests will skip. Run on a PATH where `apt-get` fails,
there is no `chromium`, and `python3` (the rest of the run) only says it was reached."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[1] / ".ci" / "run"


def _run(tmp_path: Path, ci: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / ".ci").mkdir(exist_ok=True)
    shutil.copy(RUN, tmp_path / ".ci" / "run")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, body in (("apt-get", "exit 100"), ("python3", "echo the-rest-ran; exit 0")):
        stub = bin_dir / name
        stub.write_text(f"#!/bin/sh\n{body}\n")
        stub.chmod(0o755)
    (bin_dir / "dirname").symlink_to(shutil.which("dirname") or "/usr/bin/dirname")
    env = {"PATH": str(bin_dir), "CI": ci, "HOME": os.environ.get("HOME", "/tmp")}
    bash = shutil.which("bash") or "/bin/bash"
    return subprocess.run(
        [bash, str(tmp_path / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60
    )


def test_under_ci_a_browser_that_cannot_be_installed_fails_the_run(tmp_path: Path) -> None:
    ran = _run(tmp_path, "true")
    assert ran.returncode != 0 and "the-rest-ran" not in ran.stdout
    assert "chromium could not be installed, and CI=true" in ran.stderr


@pytest.mark.parametrize("ci", ["", "false"])
def test_elsewhere_the_run_goes_on_and_says_the_browser_tests_will_skip(tmp_path: Path, ci: str) -> None:
    ran = _run(tmp_path, ci)
    assert "the browser tests will be skipped" in ran.stdout and "the-rest-ran" in ran.stdout
