"""Charts as data: labels, series and where a click leads; the page draws them with Chart.js and shows the same
numbers as a table, so every chart has a text alternative."""

from __future__ import annotations

from dataclasses import dataclass, field

# Colour-blind-safe colours (Okabe and Ito), and fixed colours for the states people must tell apart at a glance.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#8C6D1F", "#4D4D4D")
SEVERITY_COLOURS = {"critical": "#B91C1C", "warning": "#B45309", "info": "#1D4ED8"}
COVERAGE_COLOURS = {"covered": "#15803D", "at_risk": "#B45309", "uncovered": "#B91C1C", "not_accepted": "#6B7280"}


@dataclass
class Series:
    """One series of a chart: its name, one value per label, its colour, and optionally one link per label."""

    name: str
    values: list
    colour: str
    links: list[str] | None = None


@dataclass
class Chart:
    """A chart and its table: `kind` is bar, stacked (bars), horizontal (stacked bars) or doughnut."""

    id: str
    title: str
    kind: str
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    money: bool = False  # amounts (two decimals) rather than counts
    note: str = ""  # what the chart leaves out, in words, under it

    def as_json(self) -> dict:
        """What desk.js needs to draw the chart (rendered with json_script)."""
        return {
            "kind": self.kind, "money": self.money, "labels": [str(label) for label in self.labels],
            "series": [{"name": str(s.name), "values": [float(v) if self.money else v for v in s.values],
                        "colour": s.colour, "links": s.links} for s in self.series],
        }

    @property
    def rows(self) -> list[tuple[str, list[tuple]]]:
        """The table alternative: one row per label, one (value, link or "") per series, so the keyboard reaches
        the same lists as a click on a bar."""
        return [(label, [(s.values[i], s.links[i] if s.links else "") for s in self.series])
                for i, label in enumerate(self.labels)]

    @property
    def is_empty(self) -> bool:
        """True when there is nothing to draw."""
        return not any(any(s.values) for s in self.series)
