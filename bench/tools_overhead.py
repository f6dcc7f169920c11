"""What the developer tools cost the vendor endpoints, alone: the rows `make bench` prints for them.

See tools.py for the method. A script, not a test (timing never belongs in the tests).
Usage: .venv/bin/python bench/tools_overhead.py [rounds] [seconds per round]
"""

from __future__ import annotations

import sys

from patientmsg.fixtures import sandbox_config
from tools import print_sliced, tools_rows


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    rows = tools_rows(sandbox_config("default", seed=1), seconds, rounds, log=True)
    print()
    print_sliced("developer tools (journal, worlds, fault rules) against journal off", rows)


if __name__ == "__main__":
    main()
