"""Accessibility checks in a real browser: axe-core (the WCAG checker, from the npm registry, pinned in
package-lock.json) injected into a page, and the desk's browser fixtures."""

from pathlib import Path

import pytest

from tests.desk.conftest import browser, demo  # noqa: F401  (fixtures)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: what the Dutch government's websites and applications must meet.
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now: rule, impact, and the elements."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make install-test` installs it (npm ci)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    return [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [" ".join(node["target"][0]) if isinstance(node["target"][0], list) else node["target"][0]
                       for node in v["nodes"]]}
            for v in result["violations"]]


def described(violations: list[dict]) -> str:
    """The violations as lines a developer can act on."""
    return "\n".join(f"{v['rule']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'][:6])}"
                     + (f" and {len(v['nodes']) - 6} more" if len(v["nodes"]) > 6 else "") for v in violations)
