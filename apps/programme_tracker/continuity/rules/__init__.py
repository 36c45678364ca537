"""The continuity rules of DESIGN.md, one small unit each, found by name in RULES.

To add a rule (finance, task force), write a module with a `Rule` subclass decorated with `@register` and import
it here; the scan, the alerts, the desk filters and `scan --json` pick it up from the registry.
"""

from programme_tracker.continuity.rules import coverage, funding, ownership, stale  # noqa: F401  (registers)
from programme_tracker.continuity.rules.base import (
    RULES,
    Context,
    Finding,
    Limits,
    Rule,
    all_findings,
    register,
    rule_title,
)

__all__ = ["RULES", "Context", "Finding", "Limits", "Rule", "all_findings", "register", "rule_title"]
