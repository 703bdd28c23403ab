"""Trend charts are accessible SVG: an image with a title, a description and labelled axes."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ElementTree

from wraparound.web.charts import (
    ChartPoint,
    ChartSeries,
    ReferenceLine,
    count_ticks,
    day_ticks,
    line_chart,
    value_ticks,
)

SVG = "{http://www.w3.org/2000/svg}"


def chart(label: str = "Systolic") -> str:
    return line_chart(
        chart_id="bp",
        title="Blood pressure",
        description="Latest 128/82.",
        series=[
            ChartSeries(label, [ChartPoint(dt.date(2022, 1, 1), 150), ChartPoint(dt.date(2024, 1, 1), 128)]),
            ChartSeries(
                "Diastolic", [ChartPoint(dt.date(2022, 1, 1), 95), ChartPoint(dt.date(2024, 1, 1), 82)]
            ),
        ],
        unit="mmHg",
        reference_lines=[ReferenceLine(140, "140")],
    )


def test_chart_is_an_image_with_title_and_description() -> None:
    svg = chart()
    root = ElementTree.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "bp-title bp-desc"
    assert root.find(f"{SVG}title").text == "Blood pressure"  # type: ignore[union-attr]
    description = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert "Latest 128/82." in description
    assert "2 readings from 01/01/2022 to 01/01/2024." in description
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert {"Date", "mmHg", "Systolic", "Diastolic", "140", "2023", "2024"} <= texts


def test_chart_text_is_escaped() -> None:
    assert "<script>" not in chart("<script>alert(1)</script>")


def test_no_points_no_chart() -> None:
    assert line_chart(chart_id="x", title="t", description="d", series=[], unit="%") == ""


def test_ticks_are_round_numbers() -> None:
    assert value_ticks(7.1, 9.8) == [7.0, 8.0, 9.0, 10.0]
    assert value_ticks(82, 152) == [80.0, 100.0, 120.0, 140.0, 160.0]
    assert [label for _, label in day_ticks(dt.date(2024, 1, 1), dt.date(2024, 7, 1))] == [
        "01/01/2024",
        "04/01/2024",
        "07/01/2024",
    ]


def test_legend_entries_do_not_overlap_whatever_the_length_of_their_labels() -> None:
    svg = chart(label="Follow-up visit within 7 days of the discharge")
    root = ElementTree.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))
    legend = {element.text: float(element.get("x", "0")) for element in root.iter(f"{SVG}text")}
    first, second = legend["Follow-up visit within 7 days of the discharge"], legend["Diastolic"]
    # 13 px text: even narrow letters take more than 5 px each.
    assert second - first > len("Follow-up visit within 7 days of the discharge") * 5


def test_a_count_is_marked_in_whole_numbers() -> None:
    assert count_ticks(1) == [0, 1]
    assert count_ticks(3) == [0, 1, 2, 3]
    assert count_ticks(0) == [0, 1]
    assert all(tick == int(tick) for tick in count_ticks(7))
    assert count_ticks(400)[-1] >= 400
