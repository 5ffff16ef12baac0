"""The review report's charts, drawn by matplotlib as SVG (text as paths, so the PDF needs no font for them) and
embedded as data URIs that both a browser and WeasyPrint show."""

import base64
import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any

from matplotlib import font_manager, rc_context
from matplotlib.dates import date2num
from matplotlib.figure import Figure

FONT = "WenQuanYi Micro Hei"
MARKER_STYLES = {"alert": ("#c0392b", "-"), "statement": ("#2471a3", "--"), "task": ("#7d3c98", ":")}


@cache
def _font_family() -> tuple[str, ...]:
    """Chinese labels need the CJK font; one installed after matplotlib cached its font list is not in that list."""
    if FONT not in {f.name for f in font_manager.fontManager.ttflist}:
        for path in font_manager.findSystemFonts():
            if "wqy-microhei" in path.lower():
                font_manager.fontManager.addfont(path)
    return (FONT, "DejaVu Sans")


@contextmanager
def _drawing(height: float = 3.2) -> Iterator[tuple[Figure, list[str]]]:
    """A figure whose text is set in the CJK font; the data URI of its SVG lands in the list on leaving."""
    out: list[str] = []
    # Fonts are looked up as each text is made, so the settings hold for the whole drawing, not only the save.
    with rc_context({"font.family": list(_font_family()), "svg.fonttype": "path", "svg.hashsalt": "vigil"}):
        figure = Figure(figsize=(7.5, height), dpi=100, layout="constrained")
        yield figure, out
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
    out.append("data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"))


def volume_chart(series: list[dict[str, Any]], markers: list[dict[str, Any]]) -> str:
    """Mentions and negative mentions per interval, with a vertical line at the alert, each statement's publication
    and each key task done."""
    with _drawing() as (figure, out):
        axes = figure.add_subplot()
        times = [date2num(datetime.fromisoformat(p["at"])) for p in series]
        axes.plot(times, [p["mentions"] for p in series], color="#34495e", label="提及量 mentions")
        axes.plot(times, [p["negative"] for p in series], color="#e74c3c", label="負面 negative")
        for kind, (colour, style) in MARKER_STYLES.items():
            at = [date2num(datetime.fromisoformat(m["at"])) for m in markers if m["kind"] == kind]
            for k, moment in enumerate(at):
                axes.axvline(moment, color=colour, linestyle=style, linewidth=1, label=kind if k == 0 else None)
        axes.xaxis_date()
        axes.set_ylabel("每時段提及 per interval")
        axes.legend(loc="upper right", fontsize=7)
        figure.autofmt_xdate()
    return out[0]


def score_chart(components: list[dict[str, Any]]) -> str:
    """Each evaluation component's value (0–100), the ones without data left blank."""
    with _drawing(height=2.8) as (figure, out):
        axes = figure.add_subplot()
        names = [c["name"] for c in components]
        values = [c["value"] or 0.0 for c in components]
        bars = axes.barh(names, values, color="#2e86c1")
        axes.bar_label(bars, labels=["—" if c["value"] is None else f"{c['value']:g}" for c in components])
        axes.set_xlim(0, 110)
        axes.invert_yaxis()
        axes.set_xlabel("分數 score (0–100)")
    return out[0]


def funnel_chart(stages: list[dict[str, Any]]) -> str:
    """The follow-ups that reached each stage, widest first."""
    with _drawing(height=2.2) as (figure, out):
        axes = figure.add_subplot()
        widest = max([s["count"] for s in stages] + [1])
        for row, stage in enumerate(stages):
            axes.barh(row, stage["count"], left=(widest - stage["count"]) / 2, color="#48c9b0")
            axes.text(widest / 2, row, f"{stage['label']}: {stage['count']}", ha="center", va="center", fontsize=9)
        axes.set_ylim(len(stages) - 0.5, -0.5)
        axes.set_axis_off()
    return out[0]


def key_nodes_chart(nodes: list[dict[str, Any]]) -> str:
    """The key nodes of the spread by their combined score, the strongest on top."""
    with _drawing(height=1.0 + 0.3 * len(nodes)) as (figure, out):
        axes = figure.add_subplot()
        bars = axes.barh([f"{n['author_external_id']} ({n['platform']})" for n in nodes], [n["score"] for n in nodes])
        axes.bar_label(bars, labels=[f"{n['score']:.2f}" for n in nodes], fontsize=8)
        axes.invert_yaxis()
        axes.set_xlabel("關鍵節點分數 key-node score")
    return out[0]
