"""Two builds of the sandbox side by side: a git revision against the package installed in .venv.

The revision is checked out into a temporary worktree and installed into a temporary folder, which
its sandboxes get first on their PYTHONPATH; both builds run with the journal off and on, measured
in tools.py's interleaved, pinned one-second slices (every ratio against the revision, journal off).
This is how a change to the read path is measured before and after in one run. Loopback only.
Usage: .venv/bin/python bench/versions.py REV [rounds] [seconds per round]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from patientmsg.fixtures import sandbox_config
from tools import print_sliced, sliced_rows

__all__ = ["install_revision"]

ROOT = Path(__file__).resolve().parent.parent
_PIP = (sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation")


def install_revision(rev: str, into: Path) -> Path:
    """`rev` of this repository, installed (no dependencies) into `into`/pkg; returns that folder."""
    tree, target = into / "tree", into / "pkg"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), rev], check=True)
    try:
        subprocess.run(
            [*_PIP, "--target", str(target), str(tree)],
            check=True,
        )
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    return target


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    rev = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    with tempfile.TemporaryDirectory() as tmp:
        old = {"PYTHONPATH": str(install_revision(rev, Path(tmp)))}
        variants = {
            f"{rev} journal off": ("--no-access-log", "--journal-size", "0"),
            "installed journal off": ("--no-access-log", "--journal-size", "0"),
            f"{rev} journal on": ("--no-access-log",),
            "installed journal on": ("--no-access-log",),
        }
        envs = {name: old for name in variants if name.startswith(rev)}
        rows = sliced_rows(variants, sandbox_config("default", seed=1), seconds, rounds, envs=envs)
    print_sliced(f"{rev} against the installed package", rows)


if __name__ == "__main__":
    main()
