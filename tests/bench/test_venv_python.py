"""``scripts/venv-python``: the interpreter ``make`` builds the virtualenv from. The
distribution's Python (built with profile-guided optimisation and LTO) when it is 3.11+ and
can make a virtualenv; otherwise ``python3`` from PATH."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "venv-python"


def _chosen(distro: str) -> str:
    done = subprocess.run(
        ["sh", str(SCRIPT)], env={"PATH": "/usr/bin:/bin", "DISTRO_PYTHON": distro},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def test_a_usable_distribution_python_is_chosen() -> None:
    assert _chosen(sys.executable) == sys.executable  # 3.11+, with venv and ensurepip


def test_no_distribution_python_falls_back_to_python3_on_path(tmp_path: Path) -> None:
    assert _chosen(str(tmp_path / "missing")) == "python3"


@pytest.mark.parametrize("refusal", ["exit 1", "echo 'No module named ensurepip' >&2; exit 1"])
def test_an_old_or_venvless_distribution_python_is_passed_over(
    tmp_path: Path, refusal: str
) -> None:
    old = tmp_path / "python3"
    old.write_text(f"#!/bin/sh\n{refusal}\n")
    old.chmod(0o755)
    assert _chosen(str(old)) == "python3"


def test_make_builds_the_virtualenv_with_the_chosen_interpreter(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    done = subprocess.run(
        ["make", "-n", f"{venv}/bin/python", f"VENV={venv}"], cwd=SCRIPT.parents[1],
        env={"PATH": "/usr/bin:/bin", "DISTRO_PYTHON": sys.executable},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.splitlines()[0] == f"{sys.executable} -m venv {venv}"
