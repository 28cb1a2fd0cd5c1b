"""Geometry for the insights page's SVG charts: numbers in, shapes out.

The templates draw what these return (rects, polygons, ticks) with classes only, so
the charts take their colours from CSS variables (dark and light themes) and need
no script and no inline style (the page's CSP forbids both)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 8, 36  # room for the axis labels
SERIES_COLOURS = 8  # .series-0 ... .series-7 in insights.css


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    y_ticks: list = field(default_factory=list)  # (y, label)
    x_labels: list = field(default_factory=list)  # (x, label)
    bars: list = field(default_factory=list)  # dicts: x, y, w, h, title, href, series
    areas: list = field(default_factory=list)  # dicts: points, title, href, series
    empty: bool = False


def nice_maximum(value: float) -> float:
    """The axis top: 1, 2 or 5 times a power of ten, at or above `value`."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _axes(chart: Chart, top_value: float, labels: list[str], every: int = 1) -> float:
    """Ticks for 0..top; returns the pixel height of one unit."""
    plot_height = chart.height - TOP - BOTTOM
    top = nice_maximum(top_value)
    for i in range(5):
        value = top * i / 4
        y = chart.height - BOTTOM - plot_height * i / 4
        chart.y_ticks.append((round(y, 1), _number(value)))
    slot = (chart.width - LEFT - RIGHT) / max(len(labels), 1)
    for i, label in enumerate(labels):
        if (len(labels) - 1 - i) % every == 0:  # counted from the end: today is labelled
            chart.x_labels.append((round(LEFT + slot * (i + 0.5), 1), label))
    return plot_height / top


def _number(value: float) -> str:
    return f"{value:g}" if value < 1000 else f"{value / 1000:g}k"


def _label_step(count: int) -> int:
    return max(1, math.ceil(count / 8))


def bar_chart(labels: list[str], values: list[float], hrefs: list[str | None],
              unit: str = "cards", short_labels: list[str] | None = None) -> Chart:
    """One bar per label."""
    chart = Chart(empty=not any(values))
    scale = _axes(chart, max(values, default=0), short_labels or labels,
                  _label_step(len(labels)))
    slot = (chart.width - LEFT - RIGHT) / max(len(labels), 1)
    for i, (label, value, href) in enumerate(zip(labels, values, hrefs)):
        height = value * scale
        chart.bars.append({
            "x": round(LEFT + slot * i + slot * 0.15, 1), "w": round(slot * 0.7, 1),
            "y": round(chart.height - BOTTOM - height, 1), "h": round(height, 1),
            "title": f"{label}: {_number(value)} {unit}", "href": href, "series": 0,
        })
    return chart


def stacked_bars(labels: list[str], series: list[dict], short_labels: list[str],
                 unit: str) -> Chart:
    """One bar per label, split into one segment per series ({name, values, hrefs}),
    each stacked on the ones before; a segment of zero is not drawn."""
    totals = [sum(item["values"][i] for item in series) for i in range(len(labels))]
    chart = Chart(empty=not any(totals))
    scale = _axes(chart, max(totals, default=0), short_labels, _label_step(len(labels)))
    slot = (chart.width - LEFT - RIGHT) / max(len(labels), 1)
    base = [0.0] * len(labels)
    for index, item in enumerate(series):
        for i, (label, value, href) in enumerate(zip(labels, item["values"], item["hrefs"])):
            if not value:
                continue
            height = value * scale
            chart.bars.append({
                "x": round(LEFT + slot * i + slot * 0.15, 1), "w": round(slot * 0.7, 1),
                "y": round(chart.height - BOTTOM - base[i] * scale - height, 1),
                "h": round(height, 1), "href": href,
                "title": f"{label} · {item['name']}: {_number(value)} {unit}",
                "series": index % SERIES_COLOURS,
            })
            base[i] += value
    return chart


def stacked_areas(labels: list[str], series: list[dict], short_labels: list[str]) -> Chart:
    """Cumulative flow: each series ({name, counts, href}) stacked on the ones before,
    drawn as one polygon per series between its lower and upper edges. Drawn wider
    than the bar charts: it spans the page, and its text should not scale up."""
    totals = [sum(s["counts"][i] for s in series) for i in range(len(labels))]
    chart = Chart(width=2 * WIDTH, height=HEIGHT + 60, empty=not any(totals))
    scale = _axes(chart, max(totals, default=0), short_labels, _label_step(len(labels)))
    slot = (chart.width - LEFT - RIGHT) / max(len(labels), 1)
    xs = [LEFT + slot * (i + 0.5) for i in range(len(labels))]
    base = [0] * len(labels)
    for index, item in enumerate(series):
        upper = [base[i] + item["counts"][i] for i in range(len(labels))]
        if len(xs) == 1:  # one day: a band as wide as its slot
            xs_edge = [LEFT + slot * 0.1, LEFT + slot * 0.9]
            upper_pts = [(x, upper[0]) for x in xs_edge]
            lower_pts = [(x, base[0]) for x in reversed(xs_edge)]
        else:
            upper_pts = list(zip(xs, upper))
            lower_pts = list(zip(reversed(xs), reversed(base)))
        points = " ".join(f"{x:.1f},{chart.height - BOTTOM - v * scale:.1f}"
                          for x, v in upper_pts + lower_pts)
        chart.areas.append({"points": points, "href": item["href"],
                            "title": f"{item['name']}: {item['counts'][-1]} now",
                            "series": index % SERIES_COLOURS})
        base = upper
    return chart
