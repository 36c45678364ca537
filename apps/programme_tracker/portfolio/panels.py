"""Sections that modules above the portfolio add to the programme's page (open alerts, money), as templates.

The portfolio does not know them: continuity and finance register a panel in their AppConfig.ready(), as NetBox
plug-ins extend an object's page. A panel is rendered from its own template with the context its function gives.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.functional import Promise

from programme_tracker.portfolio.models import Programme


@dataclass(frozen=True)
class Panel:
    """A titled section of the programme's page: a template, and the function that gives its context."""

    name: str
    title: str | Promise
    template: str
    context: Callable[[Programme], dict]
    order: int = 0  # below zero: above the programme's own fields; otherwise below them, lowest first
    collapsed: bool = False
    permission: str | None = None  # shown only to those who have it ("continuity.view_alert")


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> Panel:
    """Add a panel to the programme's page (registering a name again replaces the panel, so ready() may rerun)."""
    _panels[panel.name] = panel
    return panel


def render_panels(programme: Programme, request=None) -> list[dict]:
    """The registered panels for one programme, in order, each as its title, place and rendered HTML."""
    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.name)):
        if panel.permission and not (request is not None and request.user.has_perm(panel.permission)):
            continue
        html = render_to_string(panel.template, panel.context(programme), request=request)
        rendered.append({"name": panel.name, "title": panel.title, "html": html, "above": panel.order < 0,
                         "collapsed": panel.collapsed})
    return rendered
