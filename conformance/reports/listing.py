"""`patientmsg requirements`: the catalogue as a table or as JSON."""

from __future__ import annotations

import json

import click
from patientmsg.conformance.catalogue import APIS, load_catalogue

__all__ = ["print_requirements"]


def print_requirements(api: str | None, *, as_json: bool) -> None:
    apis = [api] if api else list(APIS)
    if as_json:
        data = [{"api": name, **r.as_dict()} for name in apis for r in load_catalogue(name).requirements]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for name in apis:
        catalogue = load_catalogue(name)
        click.echo(f"{name}: {catalogue.title} ({len(catalogue.requirements)} requirements)")
        for r in catalogue.requirements:
            needs = f"  [needs {', '.join(r.needs)}]" if r.needs else ""
            click.echo(f"  {r.id:<13} {r.level:<7}{r.category:<16}{r.title}{needs}")
            click.echo(f"  {'':<13} {'':<7}{'':<16}source {r.source.describe()}")
        click.echo("")
