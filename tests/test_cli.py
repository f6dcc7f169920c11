"""The `patientmsg` command: thin, and a bad value is one line, never a traceback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner
from patientmsg.cli import _origin, main
from patientmsg.fixtures import build_store

NOW = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)


def test_an_unknown_scenario_is_one_line_and_exit_1() -> None:
    result = CliRunner().invoke(main, ["serve", "--scenario", "no-such-world", "--port", "1"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: unknown scenario 'no-such-world': use one of default, large, or a YAML file path"
    ]


def test_a_store_built_for_another_world_is_one_line(tmp_path: Path) -> None:
    store = tmp_path / "seven.sqlite"
    build_store(store, "default", seed=7, now=NOW)
    result = CliRunner().invoke(main, ["serve", "--store", str(store), "--seed", "8", "--port", "1"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "was built for scenario 'default' with seed 7, not scenario 'default' with seed 8" in result.output


def test_serve_opens_a_store_as_it_was_built(tmp_path: Path) -> None:
    store = tmp_path / "seven.sqlite"
    build_store(store, "default", seed=7, now=NOW)
    assert _origin(None, None, store) == (7, "default")  # `serve --store FILE`, nothing else said
    assert _origin(3, None, store) == (3, "default")  # what is asked wins (and is then refused)
    assert _origin(None, None, tmp_path / "new.sqlite") == (1, "default")  # a new file: the defaults
