"""Compare two sets of `patientmsg check --json` reports: no requirement may be exercised less.

    python bench/check_counts.py BEFORE_DIR AFTER_DIR   (each holds <api>.json)

Prints each requirement's status and `checked` exchanges before and after; exits 1 when a requirement
checked fewer exchanges, or changed status. Run both sides with one PYTHONHASHSEED: Hypothesis's
choices follow set order, so without it two runs of the same code differ by a few per cent.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def counts(path: Path) -> dict[str, tuple[str, int]]:
    report = json.loads(path.read_text())
    return {r["requirement"]: (r["status"], r["checked"]) for r in report["results"]}


def main() -> int:
    before_dir, after_dir = Path(sys.argv[1]), Path(sys.argv[2])
    worse = 0
    for before_path in sorted(before_dir.glob("*.json")):
        after_path = after_dir / before_path.name
        if not after_path.exists():
            print(f"{before_path.stem}: no report after")
            worse += 1
            continue
        before, after = counts(before_path), counts(after_path)
        for requirement, (status, checked) in before.items():
            now_status, now_checked = after.get(requirement, ("missing", 0))
            flag = ""
            if now_checked < checked or now_status != status:
                flag = "  <-- exercised less" if now_checked < checked else "  <-- status changed"
                worse += 1
            print(f"{requirement:<14} {status:<8} {checked:>6} -> {now_status:<8} {now_checked:>6}{flag}")
    print(f"{worse} requirements exercised less or changed" if worse else "no requirement exercised less")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
