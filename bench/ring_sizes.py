"""Where the journal's cost lies: the same sandbox keeping 1, 100 or 1,000 entries (the default).

A journal of one entry runs all of the journal's code per request but keeps nothing for long; the
difference to a journal of 1,000 is what keeping entries costs. Measured as tools.py measures (pinned,
interleaved one-second slices, every ratio against journal off). Loopback only.
Usage: .venv/bin/python bench/ring_sizes.py [rounds] [seconds per round]
"""

from __future__ import annotations

import sys

from patientmsg.fixtures import sandbox_config
from tools import RING_SIZES, print_sliced, sliced_rows

__all__: list[str] = []


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    rows = sliced_rows(RING_SIZES, sandbox_config("default", seed=1), seconds, rounds)
    print_sliced("journal ring sizes against journal off", rows)


if __name__ == "__main__":
    main()
