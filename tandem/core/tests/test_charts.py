"""The server-drawn charts: well-formed, accessible, escaped, and inside their picture for any
data, gaps included."""

import datetime
import itertools
import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.core.charts import _NOT_XML, Bar, Series, bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")

values = st.one_of(
    st.none(),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
    st.just(float("nan")),
)
texts = st.text(min_size=0, max_size=30)


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    # an image, or a group when it holds links (an image's children are hidden from assistive
    # technology); the tests of each chart say which
    assert root.get("role") in ("img", "group")
    return root


def _coordinates(root: ET.Element) -> list[float]:
    found: list[float] = []
    for element in root.iter():
        for name in ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "width", "height"):
            if element.get(name) is not None and not element.get(name, "").endswith("%"):
                found.append(float(element.get(name, "")))
        if element.get("d"):
            found += [float(n) for n in NUMBER.findall(element.get("d", ""))]
    return found


def _view_box(root: ET.Element) -> tuple[float, float]:
    _, _, width, height = (float(n) for n in root.get("viewBox", "").split())
    return width, height


def _accessible_name(root: ET.Element) -> tuple[str, str]:
    labelled = root.get("aria-labelledby", "").split()
    by_id = {el.get("id"): (el.text or "") for el in root.iter() if el.get("id")}
    assert len(labelled) == 2
    assert all(i in by_id for i in labelled)
    return by_id[labelled[0]], by_id[labelled[1]]


@settings(max_examples=150, deadline=None)
@given(
    title=texts,
    names=st.lists(texts, min_size=1, max_size=4),
    data=st.data(),
    step=st.booleans(),
)
def test_line_chart_is_well_formed_and_inside_its_picture(title, names, data, step):
    series = []
    for name in names:
        xs = data.draw(st.lists(st.integers(-1000, 1000), max_size=12, unique=True))
        points = [(x, data.draw(values)) for x in xs]
        band = [
            (x, lo, lo + data.draw(st.floats(0, 10)))
            for x, lo in data.draw(
                st.lists(st.tuples(st.integers(-1000, 1000), st.floats(-1e3, 1e3)), max_size=5)
            )
        ]
        series.append(Series(name=name, points=points, band=band, step=step))
    svg = line_chart(title=title, description="d <&>", series=series, x_label="x", y_label="y")
    root = _parse(svg)
    assert root.get("role") == "img", "a line chart holds no links: one image"
    assert _accessible_name(root) == (" ".join(_NOT_XML.sub("", title).split()), "d <&>")
    width, height = _view_box(root)
    for value in _coordinates(root):
        assert math.isfinite(value)
        assert -1 <= value <= max(width, height) + 1
    assert svg == line_chart(
        title=title, description="d <&>", series=series, x_label="x", y_label="y"
    ), "the same specification draws the same picture"


def test_line_chart_breaks_at_gaps_and_draws_bands_and_steps():
    series = Series(
        name="Mentored",
        points=[(0, 1.0), (1, 0.9), (2, None), (3, 0.7), (4, 0.6)],
        band=[(0, 0.95, 1.0), (1, 0.8, 0.97), (3, 0.6, 0.8), (4, 0.5, 0.7)],
        step=True,
    )
    root = _parse(line_chart(title="t", description="d", series=[series], x_label="m", y_label="s"))
    lines = [p for p in root.iter(f"{SVG}path") if p.get("fill") == "none"]
    assert len(lines) == 2, "a None splits the line in two"
    # A step from (0, 1.0) to (1, 0.9) holds 1.0 until x=1: three points, the middle at the old y.
    first = [float(n) for n in NUMBER.findall(lines[0].get("d", ""))]
    assert len(first) == 6
    assert first[3] == first[1]
    assert first[2] == first[4]
    assert [p for p in root.iter(f"{SVG}path") if p.get("fill-opacity") == "0.15"], "band drawn"


def test_line_chart_with_dates_labels_the_axis_with_dates():
    day = datetime.date(2026, 1, 5)
    svg = line_chart(
        title="Meetings",
        description="per week",
        series=[Series("held", [(day + datetime.timedelta(weeks=i), float(i)) for i in range(9)])],
        x_label="week",
        y_label="meetings",
    )
    assert "05 Jan 2026" in svg
    assert "02 Mar 2026" in svg


def test_an_empty_chart_says_so():
    for svg in (
        line_chart(title="t", description="d", series=[Series("a", [])], x_label="", y_label=""),
        line_chart(
            title="t", description="d", series=[Series("a", [(1, None)])], x_label="", y_label=""
        ),
        bar_chart(title="t", description="d", bars=[], value_label="v"),
    ):
        assert "No data to show" in svg
        _parse(svg)


@settings(max_examples=150, deadline=None)
@given(
    labels=st.lists(texts, max_size=10),
    series_count=st.integers(1, 3),
    data=st.data(),
)
def test_bar_chart_is_well_formed_for_any_values(labels, series_count, data):
    bars = [
        Bar(
            label=label,
            values=[data.draw(values) for _ in range(series_count)],
            links=[
                data.draw(st.one_of(st.none(), st.just("/p?a=1&b=<2>")))
                for _ in range(series_count)
            ],
        )
        for label in labels
    ]
    names = [f"cohort {i}" for i in range(series_count)]
    svg = bar_chart(title="t", description="d", bars=bars, value_label="v", series_names=names)
    root = _parse(svg)
    width, height = _view_box(root)
    for value in _coordinates(root):
        assert math.isfinite(value)
        assert -1 <= value <= max(width, height) + 1
    withheld = sum(1 for bar in bars for v in bar.values if v is None or math.isnan(v))
    dashes = [t for t in root.iter(f"{SVG}text") if t.text == "—"]
    assert len(dashes) == withheld, "a withheld value shows a dash, never a zero bar"
    links = list(root.iter(f"{SVG}a"))
    assert len(links) == sum(1 for bar in bars for link in bar.links if link)
    assert all(a.get("href") == "/p?a=1&b=<2>" for a in links), "escaped in markup, intact parsed"
    assert root.get("role") == ("group" if links else "img")


def test_bar_chart_refuses_a_bar_with_the_wrong_number_of_values():
    with pytest.raises(ValueError, match="has 1 values for 2 series"):
        bar_chart(
            title="t",
            description="d",
            bars=[Bar("a", [1.0])],
            value_label="v",
            series_names=["x", "y"],
        )


def test_no_style_attributes_so_the_csp_needs_no_exception():
    svg = line_chart(
        title="t",
        description="d",
        series=[Series("a", [(0, 1.0), (1, 2.0)])],
        x_label="",
        y_label="",
    ) + bar_chart(title="t", description="d", bars=[Bar("a", [1.0])], value_label="v")
    assert "style=" not in svg
    assert "<style" not in svg
    assert "<script" not in svg


@given(
    low=st.floats(-1e9, 1e9),
    span=st.floats(0, 1e9),
    count=st.integers(1, 10),
)
def test_nice_ticks_cover_the_range_with_round_steps(low, span, count):
    ticks = nice_ticks(low, low + span, count)
    assert ticks[0] <= low + 1e-6 * max(1, abs(low))
    assert ticks[-1] >= low + span - 1e-6 * max(1, abs(low + span))
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(ticks) >= 2
    assert len(steps) <= 2  # equal steps, up to float rounding


@pytest.mark.parametrize(
    ("low", "high"),
    [(1e9, 1e9 + 1e-7), (0.0, 1e-300), (5.0, 5.0), (-1e-320, 1e-320), (1e23, 1e23 * (1 + 1e-12))],
)
def test_nice_ticks_of_a_span_below_the_numbers_precision_are_a_handful(low, high):
    ticks = nice_ticks(low, high)
    assert 2 <= len(ticks) <= 22
    assert ticks == sorted(set(ticks)), "every step moves the value"
