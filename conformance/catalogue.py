"""The requirement catalogues, one `catalogue.yaml` per API unit, loaded into frozen records and validated."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import yaml
from patientmsg.conformance.registry import APIS, UNITS

__all__ = [
    "APIS",
    "CATEGORIES",
    "DOCUMENT_TITLES",
    "LEVELS",
    "Catalogue",
    "CatalogueError",
    "Requirement",
    "Source",
    "load_catalogue",
]

CATEGORIES = (
    "required-fields",
    "schema",
    "status-code",
    "error-body",
    "pagination",
    "auth",
    "headers",
    "server-error",
    "negative-input",
    "behaviour",
)
LEVELS = ("MUST", "SHOULD")
SOURCE_KINDS = ("seed", "public", "rfc", "openapi")
# What a reader calls each source document; reports name it so, with the file name as detail.
DOCUMENT_TITLES = {
    "000_71082a46c47199d0.txt": "athenahealth API reference: Secure Messages",
    "001_c779ca67df047574.txt": "Oracle Health Millennium Platform API: Patient Messages",
    "002_c91a2f1e0c8e63b5.txt": "MD HQ patient portal help: Secure Messages",
    "003_a060264fa162e935.txt": "MD HQ (Cerbo) API: patient portal endpoints",
    "004_514b49265d656ca7.txt": "Practice system help: portal messaging",
    "README.md": "Public facts about these APIs (the source documents' notes)",
}
_KIND_TITLES = {
    "public": "Public documentation of the API",
    "rfc": "IETF RFC",
    "openapi": "OpenAPI Specification",
}
NEEDS = ("writes", "second")


class CatalogueError(ValueError):
    """A catalogue file breaks the catalogue's own rules (a packaging or editing mistake)."""


@dataclass(frozen=True)
class Source:
    kind: str
    file: str | None = None
    quote: str | None = None
    text: str | None = None

    def describe(self) -> str:
        if self.quote is not None:
            return f'{self.kind}: {self.file}: "{self.quote}"'
        return f"{self.kind}: {self.text}"

    def title(self) -> str:
        """The source as a reader names it: the document's title, else what kind of source it is."""
        if self.file is not None and self.file in DOCUMENT_TITLES:
            return DOCUMENT_TITLES[self.file]
        return _KIND_TITLES.get(self.kind, self.kind)

    def as_dict(self) -> dict[str, str]:
        fields = {"kind": self.kind, "file": self.file, "quote": self.quote, "text": self.text}
        return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class Requirement:
    id: str
    title: str
    category: str
    level: str
    source: Source
    verified_by: tuple[str, ...]
    needs: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "category": self.category,
            "level": self.level,
            "source": self.source.as_dict(),
            "verified_by": list(self.verified_by),
            "needs": list(self.needs),
        }


@dataclass(frozen=True)
class Catalogue:
    api: str
    title: str
    # None: every field of the spec is one the vendor documents.
    documented_fields: frozenset[str] | None
    requirements: tuple[Requirement, ...]

    def by_id(self, requirement_id: str) -> Requirement:
        for requirement in self.requirements:
            if requirement.id == requirement_id:
                return requirement
        raise KeyError(requirement_id)

    def for_verifier(self, name: str) -> Requirement | None:
        """The requirement a check or probe serves, or None when this API has no use for it."""
        for requirement in self.requirements:
            if name in requirement.verified_by:
                return requirement
        return None

    def verifiers(self) -> list[str]:
        return [name for requirement in self.requirements for name in requirement.verified_by]

    def is_documented(self, field: str | None) -> bool:
        return self.documented_fields is None or (field is not None and field in self.documented_fields)


def _source(raw: dict[str, Any], where: str) -> Source:
    kind = raw.get("kind")
    if kind not in SOURCE_KINDS:
        raise CatalogueError(f"{where}: source kind must be one of {SOURCE_KINDS}, not {kind!r}")
    if "quote" in raw:
        if not raw.get("file"):
            raise CatalogueError(f"{where}: a quoted source names its file")
        return Source(kind=kind, file=str(raw["file"]), quote=str(raw["quote"]))
    if not raw.get("text"):
        raise CatalogueError(f"{where}: a source has a file and quote, or a text")
    return Source(kind=kind, text=str(raw["text"]))


def _requirement(raw: dict[str, Any], prefix: str) -> Requirement:
    rid = str(raw.get("id", ""))
    if not rid.startswith(prefix + "-"):
        raise CatalogueError(f"requirement id {rid!r} must start with {prefix}-")
    if raw.get("category") not in CATEGORIES:
        raise CatalogueError(f"{rid}: unknown category {raw.get('category')!r}")
    if raw.get("level") not in LEVELS:
        raise CatalogueError(f"{rid}: level must be MUST or SHOULD")
    needs = tuple(raw.get("needs", ()))
    if any(need not in NEEDS for need in needs):
        raise CatalogueError(f"{rid}: needs must be among {NEEDS}")
    verified_by = tuple(raw.get("verified_by", ()))
    if not verified_by:
        raise CatalogueError(f"{rid}: names at least one check or probe in verified_by")
    return Requirement(
        id=rid,
        title=str(raw["title"]),
        category=str(raw["category"]),
        level=str(raw["level"]),
        source=_source(raw.get("source") or {}, rid),
        verified_by=verified_by,
        needs=needs,
    )


@functools.cache
def load_catalogue(api: str) -> Catalogue:
    if api not in APIS:
        raise KeyError(f"unknown API {api!r}; known: {', '.join(APIS)}")
    unit = UNITS[api]
    raw = yaml.safe_load(files(unit.package).joinpath("catalogue.yaml").read_text(encoding="utf-8"))
    requirements = tuple(_requirement(item, unit.prefix) for item in raw["requirements"])
    ids = [requirement.id for requirement in requirements]
    if len(set(ids)) != len(ids):
        raise CatalogueError(f"{api}: duplicate requirement ids")
    names = [name for requirement in requirements for name in requirement.verified_by]
    if len(set(names)) != len(names):
        raise CatalogueError(f"{api}: a check or probe serves more than one requirement")
    documented = raw.get("documented_fields")
    return Catalogue(
        api=api,
        title=str(raw["title"]),
        documented_fields=None if documented == "*" else frozenset(documented or ()),
        requirements=requirements,
    )
