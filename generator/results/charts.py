"""Static SVG charts with Chinese labels, sized to stay readable at 390 px wide.

Every chart is shown with a table of its numbers beside it, so the SVG carries
no information of its own beyond the picture. Pages draw them inline (`inline`):
the site's stylesheet then colours them for the light and dark scheme; the .svg
files keep their own colours for downloading. Text is 13 units high in a 420-unit
view: at least 11 px on a 390 px phone.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..templating import render

FONT = "'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
WIDTH = 420  # viewBox width: a phone shows it at ~1:1, so 13px text stays 13px


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""      # text drawn after the bar, e.g. "12 处 · 累计 48%"
    critical: bool = False   # a 红线 item: drawn in the 红线 colour (its label says 红线 too)


def bar_chart(title: str, bars: list[Bar], unit: str = "") -> str:
    """Horizontal bars, label above each bar (long Chinese labels need the width)."""
    top = max((b.value for b in bars), default=0) or 1
    row = 38
    rows = [{"label": b.label, "y": 34 + i * row, "w": max(1.0, b.value / top * (WIDTH - 150)),
             "note": b.note or f"{b.value:g}{unit}",
             "critical": b.critical} for i, b in enumerate(bars)]
    return render("results/bar.svg.j2", title=title, rows=rows, width=WIDTH,
                  height=44 + len(bars) * row, font=FONT)


def line_chart(title: str, labels: list[str], values: list[float | None],
               bands: list[tuple[str, float]] = (), marks: list[bool] = ()) -> str:
    """A line of percentages over time, with grade thresholds as dashed lines; `marks`: the points (weeks)
    to ring in the 红线 colour (a 红线 incident that week), with a legend saying so."""
    present = [v for v in values if v is not None]
    low = min([*present, *(b for _, b in bands)], default=0)
    low = max(0, (int(low) // 10) * 10 - 10) if present else 0
    left, right, top, bottom = 48, WIDTH - 12, 30, 186
    def y(v):
        return bottom - (v - low) / (100 - low) * (bottom - top)
    step = (right - left) / max(1, len(labels) - 1)
    marks = list(marks) + [False] * (len(values) - len(marks))
    points = [{"x": left + i * step, "y": y(v), "v": v, "label": labels[i], "mark": marks[i]}
              for i, v in enumerate(values) if v is not None]
    every = max(1, len(labels) // 6)
    ticks = [{"x": left + i * step, "label": lab} for i, lab in enumerate(labels) if i % every == 0]
    grid = [{"y": y(v), "v": v} for v in range(low, 101, 10)]
    lines = [{"y": y(v), "name": name, "v": v} for name, v in bands if v > low]
    return render("results/line.svg.j2", title=title, points=points, ticks=ticks, grid=grid, bands=lines,
                  width=WIDTH, height=222, left=left, right=right, bottom=bottom, font=FONT,
                  marked=any(p["mark"] for p in points))


def inline(svg: str) -> str:
    """The chart as raw HTML for a Markdown page (no blank lines: Markdown would end the block there)."""
    body = "\n".join(line for line in svg.splitlines() if line.strip())
    return f'<div class="hb-chart">\n{body}\n</div>'
