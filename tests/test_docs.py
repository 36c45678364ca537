"""The documentation stays true: the README's links lead somewhere, the guide's rule table names every rule, and
the privacy section names every keeping time.

`make docs` checks the links between the pages under docs/ (MkDocs in strict mode); the README is not one of
those pages, so its links are checked here. The settings reference is checked in tests/config/test_site_config.py.
"""

import re
from pathlib import Path

from django.conf import settings

from programme_tracker.continuity.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RULE_TABLE = ROOT / "docs" / "guide" / "monitors.md"
SECURITY = ROOT / "docs" / "operations" / "security.md"
# [text](target) and ![alt](target), the target up to a space, a closing parenthesis or an anchor.
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s#]+)(?:#[^)\s]*)?\)")


def relative_links(text: str) -> list[str]:
    """The link targets in Markdown text that are paths in the repository (not web addresses or mail)."""
    return [target for target in LINK.findall(text) if not re.match(r"^[a-z]+:", target)]


def test_the_link_finder_sees_links_and_images():
    text = "See [a](docs/a.md#part), ![b](docs/b.png), [web](https://example.org) and [e](f.md)."
    assert relative_links(text) == ["docs/a.md", "docs/b.png", "f.md"]


def test_every_link_in_the_readme_leads_to_a_file_in_the_repository():
    links = relative_links(README.read_text(encoding="utf-8"))
    assert links, "the README links to the documentation"
    missing = [target for target in links if not (ROOT / target).exists()]
    assert not missing, f"README.md links to files that do not exist: {missing}"


def test_the_rule_table_of_the_guide_names_every_rule_and_no_other():
    rows = re.findall(r"^\| `([a-z-]+)` \|", RULE_TABLE.read_text(encoding="utf-8"), re.MULTILINE)
    assert sorted(rows) == sorted(RULES), (
        f"docs/guide/monitors.md's rule table and the registered rules differ: only in the guide "
        f"{sorted(set(rows) - set(RULES))}, only registered {sorted(set(RULES) - set(rows))}")


def test_the_privacy_section_names_every_keeping_time():
    """What is deleted when, as the retention job does it (settings.RETENTION), is in the privacy section."""
    text = SECURITY.read_text(encoding="utf-8")
    privacy = text[text.index("## Privacy"):text.index("\n## ", text.index("## Privacy") + 1)]
    missing = [name for name in settings.RETENTION if f"`{name}`" not in privacy]
    assert not missing, f"docs/operations/security.md's privacy section does not name {missing}"
