"""The continuity rules of DESIGN.md, one small unit each, found by name in RULES.

To add a rule, write a `Rule` subclass decorated with `@register`, in a module of this package or in the `rules`
module of another app (finance, task force; found at start-up); the scan, the alerts, the desk filters and
`scan --json` pick it up from the registry.
"""

import importlib
import pkgutil

from programme_tracker.continuity.rules.base import (
    RULES,
    Context,
    Finding,
    Limits,
    Rule,
    all_findings,
    key_label,
    register,
    rule_title,
)

__all__ = ["RULES", "Context", "Finding", "Limits", "Rule", "all_findings", "key_label", "register",
           "rule_title"]

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")  # each rule module registers its rules
