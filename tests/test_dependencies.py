"""The locks in requirements/ (what `make` installs, hashes checked) hold every dependency pyproject.toml names, at a
version its range allows, and agree with each other: a change to pyproject.toml without `make lock` fails here."""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
# Each lock and the extras it installs with the project (the Makefile's install targets and `make lock`).
LOCKS = {"run.txt": [], "test.txt": ["test"], "mariadb.txt": ["test", "mariadb"], "docs.txt": ["docs"]}
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+)")


def pins(lock: str) -> dict[str, Version]:
    """The versions a lock pins, by normalised package name."""
    lines = (ROOT / "requirements" / lock).read_text().splitlines()
    return {canonicalize_name(match[1]): Version(match[2]) for match in map(PIN.match, lines) if match}


def wanted(extras: list[str]) -> list[Requirement]:
    """The project's dependencies with these extras, as pyproject.toml states them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    texts = project["dependencies"] + [text for extra in extras for text in project["optional-dependencies"][extra]]
    return [Requirement(text) for text in texts]


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_the_lock_pins_every_dependency_within_its_range(lock, extras):
    pinned = pins(lock)
    wrong = {str(requirement): str(pinned.get(canonicalize_name(requirement.name)))
             for requirement in wanted(extras)
             if not requirement.specifier.contains(pinned.get(canonicalize_name(requirement.name), "0.dev0"),
                                                   prereleases=True)}
    assert wrong == {}, "run `make lock` after changing pyproject.toml"


def test_the_locks_agree_on_each_version():
    versions = {}
    for lock in LOCKS:
        for name, version in pins(lock).items():
            versions.setdefault(name, set()).add(version)
    assert {name: found for name, found in versions.items() if len(found) > 1} == {}


def test_uploaded_workbooks_are_parsed_with_defusedxml_not_lxml():
    """python-docx brings lxml, which openpyxl would then parse with instead (programme_tracker/__init__.py)."""
    import openpyxl.xml

    assert openpyxl.xml.LXML is False and openpyxl.xml.DEFUSEDXML is True
