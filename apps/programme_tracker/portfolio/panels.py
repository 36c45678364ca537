"""Sections that modules above the portfolio add to a record's page (open alerts and money on the programme's, the
task force's work on the programme's, the recommendation's and the alert's), as templates.

The portfolio does not know them: continuity, finance and the task force register a panel in their
AppConfig.ready(), as NetBox plug-ins extend an object's page. A panel is rendered from its own template with the
context its function gives. An admin shows the panels of its kind of record with WithPanels.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.functional import Promise


@dataclass(frozen=True)
class Panel:
    """A titled section of a record's page: a template, and the function that gives its context."""

    name: str
    title: str | Promise
    template: str
    context: Callable[[Any], dict]
    order: int = 0  # below zero: above the programme's own fields; otherwise below them, lowest first
    collapsed: bool = False
    permission: str | None = None  # shown only to those who have it ("continuity.view_alert")
    on: str = "programme"  # the kind of record whose page it is on: "programme", "recommendation", "alert"


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> Panel:
    """Add a panel to a record's page (registering a name again replaces the panel, so ready() may rerun)."""
    _panels[panel.name] = panel
    return panel


def render_panels(record, request=None, on: str = "programme") -> list[dict]:
    """The panels registered for one record's page, in order, each as its title, place and rendered HTML."""
    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        if panel.on != on or panel.permission and not (request is not None and request.user.has_perm(
                panel.permission)):
            continue
        html = render_to_string(panel.template, panel.context(record), request=request)
        rendered.append({"name": panel.name, "title": panel.title, "html": html, "above": panel.order < 0,
                         "collapsed": panel.collapsed})
    return rendered


class WithPanels:
    """A model admin whose change page shows the panels registered for its kind of record (`panels_on`)."""

    change_form_template = "portfolio/panels/change_form.html"
    panels_on = "programme"

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The change form, with the panels around its fields."""
        context["panels"] = render_panels(obj, request, self.panels_on) if obj is not None and obj.pk else []
        return super().render_change_form(request, context, add, change, form_url, obj)
