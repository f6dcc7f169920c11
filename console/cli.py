"""The `patientmsg` command: parses options and calls the packages, nothing more."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from patientmsg import __version__

__all__ = ["main"]

DEFAULT_SEED = 1


class _IsoTime(click.ParamType[dt.datetime]):
    name = "ISO-TIME"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 time, e.g. 2026-11-21T09:00:00Z", param, ctx)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC).replace(microsecond=0)


class _ValueErrorsAsMessages(click.Group):
    """A bad scenario, store or option value is one line on stderr and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_ValueErrorsAsMessages, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="patientmsg")
def main() -> None:
    """Sandbox and conformance kit for patient-messaging APIs (athena, oracle, mdhq)."""


@main.command()
def specs() -> None:
    """List the bundled specs: API, title, version, operation count."""
    from patientmsg.specs import APIS, load_spec, operations

    for api in APIS:
        spec = load_spec(api)
        info = spec["info"]
        click.echo(
            f"{api:<7} {info['title']}  (version {info['version']}, {len(operations(spec))} operations)"
        )


_world_options = [
    click.option(
        "--seed", type=int, default=None, help=f"Changes content, not ids.  [default: {DEFAULT_SEED}]"
    ),
    click.option("--scenario", default=None, help="A bundled name or a YAML file.  [default: default]"),
    click.option(
        "--now", type=_IsoTime(), default=None, help="The sandbox clock.  [default: the current time]"
    ),
]


def _world(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(_world_options):
        func = option(func)
    return func


def _origin(seed: int | None, scenario: str | None, store: Path | None) -> tuple[int, str]:
    """The world to serve: what was asked, else what an existing store was built for, else the defaults."""
    from patientmsg.fixtures import store_origin

    built = store_origin(store) if store is not None else None
    if built is not None:
        scenario = scenario if scenario is not None else built[0]
        seed = seed if seed is not None else built[1]
    return (DEFAULT_SEED if seed is None else seed), (scenario or "default")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=8000, show_default=True, help="0: any free port (see the banner).")
@_world
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A SQLite file: state survives restarts (built on first use).",
)
@click.option("--access-log/--no-access-log", default=True, show_default=True, help="Log every request.")
# Developer tools (control API, journal, named worlds): one block, kept together.
@click.option(
    "--control/--no-control",
    default=True,
    show_default=True,
    help="The control API at /_sandbox/ (on a non-loopback --host it needs --control-token).",
)
@click.option("--control-token", default=None, help="Require Authorization: Bearer TOKEN on /_sandbox/.")
@click.option(
    "--journal-size",
    type=click.IntRange(min=0, max=1_000_000),
    default=1000,
    show_default=True,
    help="Exchanges kept per world in the request journal (0: no journal).",
)
@click.option(
    "--max-worlds",
    type=click.IntRange(min=0, max=10_000),
    default=16,
    show_default=True,
    help="Named worlds (Patientmsg-Sandbox header) held at once.",
)
@click.option(
    "--world-idle-seconds",
    type=click.FloatRange(min=0),
    default=600.0,
    show_default=True,
    help="A named world idle this long may be dropped for a new one.",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    help="Also allow browser calls from this origin, e.g. https://app.example (repeatable; * for any). "
    "Loopback origins are always allowed.",
)
@click.option(
    "--idle-timeout",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Seconds a connection may stay silent (before its first request, and between requests).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    help="Worker processes over one --store FILE (required for more than 1).",
)
def serve(
    host: str,
    port: int,
    seed: int | None,
    scenario: str | None,
    now: dt.datetime | None,
    store: Path | None,
    access_log: bool,
    control: bool,
    control_token: str | None,
    journal_size: int,
    max_worlds: int,
    world_idle_seconds: float,
    cors_origins: tuple[str, ...],
    idle_timeout: int,
    workers: int,
) -> None:
    """Serve the APIs under /athena, /oracle and /mdhq, and their vendor paths at the root.

    An existing --store file is served as it was built unless --scenario or --seed say otherwise.
    """
    from patientmsg.mockserver import ServeSettings
    from patientmsg.mockserver import serve as run

    seed, scenario = _origin(seed, scenario, store)
    settings = ServeSettings(
        host=host,
        port=port,
        control=control,
        control_token=control_token,
        journal_size=journal_size,
        max_worlds=max_worlds,
        world_idle_seconds=world_idle_seconds,
        scenario=scenario,
        store_backed=store is not None,
    )
    run(
        host=host,
        port=port,
        seed=seed,
        scenario=scenario,
        now=now,
        store=store,
        access_log=access_log,
        settings=settings,
        cors_origins=cors_origins,
        idle_timeout=idle_timeout,
        workers=workers,
    )


@main.group()
def fixtures() -> None:
    """The sandbox's world: its summary, credentials and ids; prebuilt stores."""


@fixtures.command("show")
@_world
@click.option("--json", "as_json", is_flag=True, help="Print the JSON the conformance kit's config uses.")
def fixtures_show(seed: int | None, scenario: str | None, now: dt.datetime | None, as_json: bool) -> None:
    """Print the world's summary and each API's credentials and ids."""
    from patientmsg.fixtures import describe, sandbox_config

    seed, scenario = _origin(seed, scenario, None)
    if as_json:
        click.echo(json.dumps(sandbox_config(scenario, seed=seed), indent=2))
    else:
        click.echo(describe(scenario, seed=seed, now=now))


@fixtures.command("build")
@_world
@click.option("--store", type=click.Path(dir_okay=False, path_type=Path), required=True)
def fixtures_build(seed: int | None, scenario: str | None, now: dt.datetime | None, store: Path) -> None:
    """Build a world once into a store file that `serve --store` opens."""
    from patientmsg.fixtures import build_store

    seed, scenario = _origin(seed, scenario, None)
    summary = build_store(store, scenario, seed=seed, now=now)
    click.echo(f"built {store}: {summary}")


@main.command()
@click.option("--api", type=click.Choice(["athena", "oracle", "mdhq", "portal"]), default=None)
@click.option("--json", "as_json", is_flag=True)
def requirements(api: str | None, as_json: bool) -> None:
    """Print the conformance catalogue (every API, or one)."""
    from patientmsg.conformance import print_requirements

    print_requirements(api, as_json=as_json)


@main.command(context_settings={"ignore_unknown_options": False})
@click.option("--api", type=click.Choice(["athena", "oracle", "mdhq", "portal"]), required=True)
@click.option("--base-url", default=None, help="The API's base URL, e.g. http://127.0.0.1:8000/athena")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--seed", type=int, default=0, show_default=True, help="Seeds case generation.")
@click.option("--max-examples", type=click.IntRange(min=1), default=None)
@click.option("--only", multiple=True, help="A requirement id or category (repeatable).")
@click.option("--allow-writes", is_flag=True, help="Send requests that change state.")
@click.option("--strict", is_flag=True, help="Fail on any failed requirement, SHOULD included.")
@click.option("--wait", type=click.FloatRange(min=0), default=0.0, help="Seconds to wait for the target.")
@click.option("--waivers", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="FILE, or - for stdout."
)
@click.option("--junit-xml", "junit_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--html", "html_path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--markdown", "markdown_path", type=click.Path(dir_okay=False, path_type=Path), help="CI job summary."
)
@click.option("--rate-limit", default=None, help="At most this many requests, e.g. 10/s or 300/m.")
@click.option("--print-config", is_flag=True, help="Print the effective config as TOML (secrets redacted).")
def check(**options: object) -> None:
    """Check an implementation of an API against its requirements."""
    from patientmsg.conformance import run_cli

    raise SystemExit(run_cli(**options))
