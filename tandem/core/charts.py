"""Charts drawn on the server as SVG: pictures that need no script and read well to everyone.

A chart is drawn from a plain specification (series of points, or bars) into an `<svg
role="img">` whose `<title>` and `<desc>` say what it shows, so a screen reader announces it; the
page puts the same numbers in a data table beside it (the picture is never the only place a
number lives). Colours come with a second cue: each line series has its own dash pattern and a
sample in the legend, and bar series alternate solid and light fills, so the chart survives
greyscale and colour blindness.

Only SVG presentation attributes are used (no `style=` attributes, no `<style>` element), so the
Content-Security-Policy (`tandem.core.csp`) needs no exception. Every text is escaped. The output
is deterministic for the same specification, which keeps pages cacheable and tests exact.

A value of `None` is a gap: a line breaks there, a bar shows "—" (withheld or not known), never a
zero.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

X = float | int | datetime.date

# Bootstrap 5's palette (primary, orange, teal, pink, indigo, green), dark enough for 3:1 on white.
COLOURS = ("#0d6efd", "#c2590a", "#0f7b6c", "#b02a6b", "#5a32a3", "#2f7d32")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
INK = "#212529"
GRID = "#dee2e6"
MUTED = "#6c757d"

MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 48
LEGEND_ROW = 18
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


@dataclass(frozen=True)
class Series:
    """One line: points (x, y) in x order, y None for a gap; an optional band (x, low, high), drawn
    as a shaded area (a confidence interval); `step` draws a step function (survival curves)."""

    name: str
    points: Sequence[tuple[X, float | None]]
    band: Sequence[tuple[X, float, float]] = field(default=())
    step: bool = False


@dataclass(frozen=True)
class Bar:
    """One category: a value per bar series (None: withheld) and an optional link per value to the
    list behind it."""

    label: str
    values: Sequence[float | None]
    links: Sequence[str | None] = field(default=())


def _number(x: X) -> float:
    if isinstance(x, datetime.date):
        return float(x.toordinal())
    return float(x)


# Characters XML 1.0 does not allow in a document (control characters, lone surrogates, U+FFFE/F):
# a title typed with one must still draw a valid picture.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    """Text for the picture: on one line, escaped, and without what XML cannot hold."""
    return str(escape(" ".join(_NOT_XML.sub("", value).split())))


def _known(values: Iterable[float | None]) -> list[float]:
    """The finite values among these (None, NaN and infinities are gaps)."""
    return [float(v) for v in values if v is not None and math.isfinite(v)]


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5 or 5 times a power of ten apart)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("Tick bounds must be finite numbers.")
    if high < low:
        low, high = high, low
    # A span too small for the numbers' own precision (or none) is widened to one that is not,
    # so every step moves the value and the ticks stay a handful.
    least = max(abs(low) * 1e-9, abs(high) * 1e-9, 1e-6)
    if high == low:
        high = low + max(1.0, least)  # all values equal: an axis from them up by one
    if high - low < least:
        middle = (low + high) / 2
        low, high = middle - least / 2, middle + least / 2
    raw = (high - low) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    # log10 can round across a power of ten; 10 times the power then still covers it.
    step = next((m * power for m in (1, 2, 2.5, 5) if m * power >= raw), 10 * power)
    start = math.floor(low / step)
    ticks = []
    index = start
    while True:
        value = round(index * step, 12)
        ticks.append(value)
        if value >= high or len(ticks) > 4 * max(count, 1) + 2:
            break
        index += 1
    return ticks


def _chart_id(*parts: object) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:10]
    return f"chart-{digest}"


def _fmt(value: float) -> str:
    # Coordinates with two decimals: enough for any screen, short and deterministic.
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open_svg(
    chart_id: str, width: int, height: int, title: str, description: str, *, has_links: bool = False
) -> list[str]:
    # A picture is one image to assistive technology, whose children are hidden from it; a
    # chart whose bars are links is a group instead, or its links could not be reached.
    role = "group" if has_links else "img"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="{role}" class="tandem-chart" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT}>',
        f'<title id="{chart_id}-title">{_text(title)}</title>',
        f'<desc id="{chart_id}-desc">{_text(description)}</desc>',
    ]


def _x_label(x: float, dates: bool, x_format: Callable[[X], str] | None) -> str:
    if dates:
        day = datetime.date.fromordinal(round(x))
        return x_format(day) if x_format is not None else day.strftime("%d %b %Y")
    return x_format(x) if x_format is not None else f"{x:g}"


def line_chart(
    *,
    title: str,
    description: str,
    series: Sequence[Series],
    x_label: str,
    y_label: str,
    y_range: tuple[float, float] | None = None,
    y_format: Callable[[float], str] = lambda v: f"{v:g}",
    x_format: Callable[[X], str] | None = None,
    width: int = 640,
    height: int = 320,
) -> SafeString:
    """Lines (or steps) over a shared x axis of numbers or dates, with optional shaded bands.

    `y_range` fixes the axis (e.g. (0, 1) for a proportion); otherwise it covers the data and
    the bands. A chart with no finite point says so in the picture instead of drawing axes
    that mean nothing."""
    dates = any(
        isinstance(x, datetime.date)
        for one in series
        for x in (*(p[0] for p in one.points), *(b[0] for b in one.band))
    )
    xs = [_number(x) for one in series for x, y in one.points if _known([y])]
    xs += [_number(b[0]) for one in series for b in one.band]
    ys = _known(y for one in series for _, y in one.points)
    ys += [v for one in series for b in one.band for v in b[1:] if math.isfinite(v)]
    chart_id = _chart_id(title, description, series, x_label, y_label, y_range)
    legend_rows = len(series) if len(series) > 1 else 0
    total_height = height + legend_rows * LEGEND_ROW
    parts = _open_svg(chart_id, width, total_height, title, description)
    if not xs or not ys:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{MUTED}">'
            "No data to show</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped

    low_y, high_y = y_range if y_range is not None else (min(ys), max(ys))
    y_ticks = nice_ticks(low_y, high_y) if y_range is None else nice_ticks(*y_range)
    low_y, high_y = (y_ticks[0], y_ticks[-1]) if y_range is None else y_range
    low_x, high_x = min(xs), max(xs)
    if high_x == low_x:
        high_x = low_x + 1.0
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = height - MARGIN_TOP - MARGIN_BOTTOM

    def px(x: float) -> float:
        return MARGIN_LEFT + (x - low_x) / (high_x - low_x) * plot_w

    def py(y: float) -> float:
        clamped = min(max(y, low_y), high_y)
        return MARGIN_TOP + plot_h - (clamped - low_y) / ((high_y - low_y) or 1.0) * plot_h

    # Grid and axes.
    for tick in y_ticks:
        if low_y - 1e-12 <= tick <= high_y + 1e-12:
            y = _fmt(py(tick))
            parts.append(
                f'<line x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + plot_w}" y1="{y}" y2="{y}" '
                f'stroke="{GRID}"/>'
                f'<text x="{MARGIN_LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle" '
                f'fill="{INK}">{_text(y_format(tick))}</text>'
            )
    x_ticks = [low_x + (high_x - low_x) * i / 4 for i in range(5)]
    base = _fmt(MARGIN_TOP + plot_h)
    for tick in x_ticks:
        x = _fmt(px(tick))
        parts.append(
            f'<text x="{x}" y="{_fmt(MARGIN_TOP + plot_h + 16)}" text-anchor="middle" '
            f'fill="{INK}">{_text(_x_label(tick, dates, x_format))}</text>'
        )
    parts.append(
        f'<line x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + plot_w}" y1="{base}" y2="{base}" '
        f'stroke="{INK}"/>'
        f'<text x="{_fmt(MARGIN_LEFT + plot_w / 2)}" y="{height - 8}" text-anchor="middle" '
        f'fill="{INK}">{_text(x_label)}</text>'
        f'<text transform="translate(14 {_fmt(MARGIN_TOP + plot_h / 2)}) rotate(-90)" '
        f'text-anchor="middle" fill="{INK}">{_text(y_label)}</text>'
    )

    for index, one in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        dash = DASHES[index % len(DASHES)]
        band = [
            (_number(x), lo, hi)
            for x, lo, hi in one.band
            if math.isfinite(lo) and math.isfinite(hi)
        ]
        if band:
            band.sort()
            upper = _path_points([(x, hi) for x, _, hi in band], one.step, px, py)
            lower = _path_points(
                [(x, lo) for x, lo, _ in reversed(band)], one.step, px, py, reverse=True
            )
            parts.append(
                f'<path d="M{" L".join(upper + lower)} Z" fill="{colour}" fill-opacity="0.15" '
                'stroke="none"/>'
            )
        for run in _runs(one.points):
            coords = _path_points(run, one.step, px, py)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            if len(coords) == 1:
                x, y = coords[0].split(" ")
                parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>')
            else:
                parts.append(
                    f'<path d="M{" L".join(coords)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"{dash_attr}/>'
                )
    if legend_rows:
        for index, one in enumerate(series):
            colour = COLOURS[index % len(COLOURS)]
            dash = DASHES[index % len(DASHES)]
            legend_y = height + index * LEGEND_ROW + 4
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{MARGIN_LEFT}" x2="{MARGIN_LEFT + 28}" y1="{legend_y}" '
                f'y2="{legend_y}" stroke="{colour}" stroke-width="2"{dash_attr}/>'
                f'<text x="{MARGIN_LEFT + 36}" y="{legend_y}" dominant-baseline="middle" '
                f'fill="{INK}">'
                f"{_text(one.name)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _runs(points: Sequence[tuple[X, float | None]]) -> list[list[tuple[float, float]]]:
    """The stretches of consecutive known points (a None splits the line)."""
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for x, y in sorted(points, key=lambda point: _number(point[0])):
        if y is not None and math.isfinite(y):
            current.append((_number(x), float(y)))
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _path_points(
    points: Sequence[tuple[float, float]],
    step: bool,
    px: Callable[[float], float],
    py: Callable[[float], float],
    *,
    reverse: bool = False,
) -> list[str]:
    coords: list[str] = []
    previous: tuple[float, float] | None = None
    for x, y in points:
        if step and previous is not None:
            # A step holds the previous value until the next x (walking backwards: the next one).
            held = y if reverse else previous[1]
            coords.append(f"{_fmt(px(x if not reverse else previous[0]))} {_fmt(py(held))}")
        coords.append(f"{_fmt(px(x))} {_fmt(py(y))}")
        previous = (x, y)
    return coords


def bar_chart(
    *,
    title: str,
    description: str,
    bars: Sequence[Bar],
    value_label: str,
    series_names: Sequence[str] = ("",),
    value_format: Callable[[float], str] = lambda v: f"{v:g}",
    value_range: tuple[float, float] | None = None,
    width: int = 640,
) -> SafeString:
    """Horizontal bars, one row per category and one bar per series in it (two cohorts side by
    side), the value written at the end of each bar; a bar with a link is a link to the list
    behind the figure. A withheld value (None) shows "—" and no bar."""
    series_count = max(len(series_names), 1)
    for bar in bars:
        if len(bar.values) != series_count:
            raise ValueError(
                f"Bar '{bar.label}' has {len(bar.values)} values for {series_count} series."
            )
    values = _known(v for bar in bars for v in bar.values)
    chart_id = _chart_id(title, description, bars, value_label, tuple(series_names), value_range)
    label_w = 160
    bar_h = 16
    row_h = bar_h * series_count + 10
    legend_rows = series_count if series_count > 1 else 0
    height = MARGIN_TOP + len(bars) * row_h + 40 + legend_rows * LEGEND_ROW
    has_links = any(link for bar in bars for link in bar.links)
    parts = _open_svg(chart_id, width, height, title, description, has_links=has_links)
    if not bars:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{MUTED}">'
            "No data to show</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
    low, high = (
        value_range if value_range is not None else (min([0.0, *values]), max([0.0, *values]))
    )
    ticks = nice_ticks(low, high, 4) if value_range is None else [low, (low + high) / 2, high]
    low, high = ticks[0], ticks[-1]
    plot_left = label_w + 8
    plot_w = width - plot_left - 64

    def px(value: float) -> float:
        clamped = min(max(value, low), high)
        return plot_left + (clamped - low) / ((high - low) or 1.0) * plot_w

    bottom = MARGIN_TOP + len(bars) * row_h
    for tick in ticks:
        x = _fmt(px(tick))
        parts.append(
            f'<line x1="{x}" x2="{x}" y1="{MARGIN_TOP}" y2="{bottom}" stroke="{GRID}"/>'
            f'<text x="{x}" y="{bottom + 14}" text-anchor="middle" fill="{INK}">'
            f"{_text(value_format(tick))}</text>"
        )
    parts.append(
        f'<text x="{_fmt(plot_left + plot_w / 2)}" y="{bottom + 32}" text-anchor="middle" '
        f'fill="{INK}">{_text(value_label)}</text>'
    )
    zero = px(0.0 if low <= 0.0 <= high else low)
    for row, bar in enumerate(bars):
        top = MARGIN_TOP + row * row_h + 5
        parts.append(
            f'<text x="{label_w}" y="{_fmt(top + row_h / 2 - 5)}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{INK}">{_text(_clip(bar.label, 26))}</text>'
        )
        for index, value in enumerate(bar.values):
            y = top + index * bar_h
            colour = COLOURS[index % len(COLOURS)]
            link = bar.links[index] if index < len(bar.links) else None
            middle = _fmt(y + bar_h / 2)
            if value is None or not math.isfinite(value):
                shape = (
                    f'<text x="{_fmt(zero + 4)}" y="{middle}" dominant-baseline="middle" '
                    f'fill="{MUTED}">—</text>'
                )
            else:
                x0, x1 = sorted((zero, px(value)))
                opacity = "1" if index % 2 == 0 else "0.55"
                shape = (
                    f'<rect x="{_fmt(x0)}" y="{_fmt(y + 1)}" width="{_fmt(max(x1 - x0, 1.0))}" '
                    f'height="{bar_h - 2}" fill="{colour}" fill-opacity="{opacity}" '
                    f'stroke="{colour}"/>'
                    f'<text x="{_fmt(x1 + 4)}" y="{middle}" dominant-baseline="middle" '
                    f'fill="{INK}">{_text(value_format(value))}</text>'
                )
            if link:
                known = _known([value])
                shown = value_format(known[0]) if known else "withheld"
                label = f"{bar.label}: {shown}"
                shape = f'<a href="{_text(link)}" aria-label="{_text(label)}">{shape}</a>'
            parts.append(shape)
    if legend_rows:
        for index, name in enumerate(series_names):
            colour = COLOURS[index % len(COLOURS)]
            opacity = "1" if index % 2 == 0 else "0.55"
            y = bottom + 44 + index * LEGEND_ROW
            parts.append(
                f'<rect x="{plot_left}" y="{y - 6}" width="24" height="12" fill="{colour}" '
                f'fill-opacity="{opacity}" stroke="{colour}"/>'
                f'<text x="{plot_left + 32}" y="{y}" dominant-baseline="middle" fill="{INK}">'
                f"{_text(name)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
