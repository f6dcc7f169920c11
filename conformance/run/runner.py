"""`patientmsg check`: config, reachability, probes and generated cases, verdict, reports, exit code."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import importlib.metadata
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from patientmsg.conformance.catalogue import APIS, CATEGORIES, Catalogue, Requirement, load_catalogue
from patientmsg.conformance.registry import RESPONSE_CHECKS
from patientmsg.conformance.reports import (
    Report,
    RunFacts,
    judge,
    render_console,
    render_html,
    render_json,
    render_junit,
    render_markdown,
)
from patientmsg.conformance.run.engine import EnginePlan, engine_jobs, started_engine
from patientmsg.conformance.run.ledger import Ledger
from patientmsg.conformance.run.pacing import RETRIES, Pacer, parse_rate
from patientmsg.conformance.run.plan import engine_operations, engine_parameters
from patientmsg.conformance.run.probe_runner import run_probes
from patientmsg.conformance.run.routing import BUILTIN_CHECKS
from patientmsg.conformance.setup.credentials import verify_credentials
from patientmsg.conformance.setup.identity import Redactor, identities
from patientmsg.conformance.setup.kit_config import KitConfig, load_config, render_config
from patientmsg.conformance.setup.reach import wait_for
from patientmsg.conformance.setup.usage import UsageProblem
from patientmsg.conformance.setup.waivers import load_waivers
from patientmsg.specs import load_spec, spec_text

__all__ = ["DEFAULT_MAX_EXAMPLES", "run_cli"]

DEFAULT_MAX_EXAMPLES = 200


@dataclass(frozen=True)
class Options:
    api: str
    base_url: str | None
    config_path: Path | None
    seed: int
    max_examples: int
    only: tuple[str, ...]
    allow_writes: bool
    strict: bool
    wait: float
    waivers: Path | None
    json_path: Path | None
    junit_path: Path | None
    html_path: Path | None
    markdown_path: Path | None
    rate_limit: str | None
    print_config: bool

    @classmethod
    def from_cli(cls, options: dict[str, Any]) -> Options:
        def path(name: str) -> Path | None:
            value = options.get(name)
            return Path(value) if value is not None else None

        return cls(
            api=str(options["api"]),
            base_url=options.get("base_url"),
            config_path=path("config_path"),
            seed=int(options.get("seed") or 0),
            max_examples=int(options.get("max_examples") or DEFAULT_MAX_EXAMPLES),
            only=tuple(options.get("only") or ()),
            allow_writes=bool(options.get("allow_writes")),
            strict=bool(options.get("strict")),
            wait=float(options.get("wait") or 0.0),
            waivers=path("waivers"),
            json_path=path("json_path"),
            junit_path=path("junit_path"),
            html_path=path("html_path"),
            markdown_path=path("markdown_path"),
            rate_limit=options.get("rate_limit"),
            print_config=bool(options.get("print_config")),
        )


def select(catalogue: Catalogue, only: tuple[str, ...]) -> list[Requirement]:
    if not only:
        return list(catalogue.requirements)
    ids = {requirement.id for requirement in catalogue.requirements}
    for value in only:
        if value not in ids and value not in CATEGORIES:
            raise UsageProblem(
                f"--only {value!r} is neither a requirement of {catalogue.api} nor a category "
                f"({', '.join(CATEGORIES)}); see `patientmsg requirements --api {catalogue.api}`"
            )
    return [r for r in catalogue.requirements if r.id in only or r.category in only]


def _engine_checks(api: str, active: set[str]) -> tuple[str, ...]:
    ours = {check.name for check in RESPONSE_CHECKS[api]}
    wanted = {name.split("/")[0] for name in active}
    return tuple(sorted(name for name in wanted if name in ours or name in BUILTIN_CHECKS))


STDOUT = Path("-")


def _check_report_paths(options: Options) -> None:
    """A report that cannot be written is found out before the run, not after minutes of it."""
    named = [
        ("--json", options.json_path),
        ("--junit-xml", options.junit_path),
        ("--html", options.html_path),
        ("--markdown", options.markdown_path),
    ]
    for flag, path in named:
        if path is None or (path == STDOUT and flag == "--json"):
            continue
        folder = path.parent if str(path.parent) else Path(".")
        if path.is_dir():
            raise UsageProblem(f"{flag} {path}: is a directory")
        if not folder.is_dir():
            raise UsageProblem(f"{flag} {path}: the folder {folder} does not exist")
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise UsageProblem(f"{flag} {path}: not writable")


def _facts(options: Options, redactor: Redactor) -> RunFacts:
    spec = load_spec(options.api)
    info = spec.get("info") or {}
    try:
        version = importlib.metadata.version("patientmsg")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - only from a bare checkout
        version = "unknown"
    return RunFacts(
        started=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        kit_version=version,
        spec_title=str(info.get("title", "")),
        spec_version=str(info.get("version", "")),
        spec_sha256=hashlib.sha256(spec_text(options.api).encode("utf-8")).hexdigest(),
        env_vars=tuple(dict.fromkeys(redactor.env_help())),
    )


def _write(path: Path | None, text: str) -> None:
    if path is None:
        return
    if path == STDOUT:
        click.echo(text, nl=False)
        return
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(f"cannot write {path}: {exc.strerror or exc}") from None


def _known_ids() -> set[str]:
    return {requirement.id for api in APIS for requirement in load_catalogue(api).requirements}


def _run(options: Options) -> int:
    config: KitConfig = load_config(options.api, options.base_url, options.config_path)
    if options.print_config:
        click.echo(render_config(config), nl=False)
        return 0
    catalogue = load_catalogue(options.api)
    selected = select(catalogue, options.only)
    waivers = load_waivers(options.waivers, _known_ids()) if options.waivers else {}
    _check_report_paths(options)
    pacer = Pacer(parse_rate(options.rate_limit))
    # With the JSON on stdout, everything else a run says goes to stderr.
    say: Callable[[str], None] = (
        (lambda line: click.echo(line, err=True)) if options.json_path == STDOUT else click.echo
    )
    wait_for(config.base_url, options.wait)
    started = time.monotonic()
    primary, second = identities(config)
    verify_credentials(config, primary, second)
    redactor = Redactor(primary, second)
    ledger = Ledger(catalogue)
    active = {name for requirement in selected for name in requirement.verified_by}
    facts = _facts(options, redactor)
    say(f"patientmsg check --api {options.api} {config.base_url} (seed {options.seed})")
    checks = _engine_checks(options.api, active)
    plan = (
        EnginePlan(
            api=options.api,
            base_url=config.base_url,
            seed=options.seed,
            max_examples=options.max_examples,
            allow_writes=options.allow_writes,
            checks=checks,
            authorization=primary.authorization(),
            parameters=engine_parameters(config),
            operations=engine_operations(config, primary, allow_writes=options.allow_writes),
            # Not "auto" by default: Schemathesis 4.32.5's adaptive mode paces even a target that never
            # answers 429 (17 requests took 8 s). A 429 to a generated case is set aside instead.
            rate_limit=options.rate_limit.replace(" ", "") if options.rate_limit else None,
            jobs=engine_jobs(
                max_examples=options.max_examples,
                allow_writes=options.allow_writes,
                rate_limit=options.rate_limit,
            ),
        )
        if checks
        else None
    )
    with contextlib.ExitStack() as stack:
        # A split engine generates in other processes while the probes run here.
        finish = stack.enter_context(started_engine(plan, redactor, catalogue)) if plan else None
        say("probes: deterministic calls, read-only")
        requests = run_probes(
            config,
            primary,
            second,
            redactor,
            ledger,
            active,
            writes=False,
            seed=options.seed,
            echo=say,
            pacer=pacer,
        )
        if finish is not None:
            requests += finish(ledger, say, sent_before=requests)
    if options.allow_writes:
        say("probes: calls that change state (--allow-writes)")
        requests += run_probes(
            config,
            primary,
            second,
            redactor,
            ledger,
            active,
            writes=True,
            seed=options.seed,
            echo=say,
            sent_before=requests,
            pacer=pacer,
        )
    results = judge(
        selected,
        ledger,
        waivers,
        allow_writes=options.allow_writes,
        has_second=second is not None,
        today=dt.datetime.now(dt.UTC).date(),
    )
    report = Report(
        api=options.api,
        base_url=config.base_url,
        seed=options.seed,
        strict=options.strict,
        results=results,
        requests=requests,
        duration=time.monotonic() - started,
        facts=dataclasses.replace(facts, throttled=pacer.throttled + ledger.throttled),
    )
    if report.facts.throttled:
        report.notes.append(
            f"{report.facts.throttled} answers were 429 Too Many Requests: probes waited out Retry-After "
            f"and retried (at most {RETRIES} times); generated cases answered 429 were set aside, counted "
            "against no requirement. Consider --rate-limit."
        )
    say(render_console(report))
    _write(options.json_path, render_json(report))
    _write(options.junit_path, render_junit(report))
    _write(options.html_path, render_html(report, catalogue.title))
    _write(options.markdown_path, render_markdown(report, catalogue.title))
    return 0 if report.passed else 1


def run_cli(**options: Any) -> int:
    """The `patientmsg check` command; returns the exit code (0 pass, 1 fail, 2 usage/config/unreachable)."""
    try:
        return _run(Options.from_cli(options))
    except UsageProblem as problem:
        click.echo(f"error: {problem}", err=True)
        return 2
    except (click.exceptions.Exit, click.exceptions.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:
        # Exit 1 means "a MUST failed": a fault of the kit's own must never read as the target's.
        what = str(exc).splitlines()[0] if str(exc) else ""
        click.echo(
            f"internal error: {type(exc).__name__}: {what} (a bug in patientmsg check, not in the target; "
            "please report it)",
            err=True,
        )
        return 2
