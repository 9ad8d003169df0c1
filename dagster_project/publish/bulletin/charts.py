"""The bulletin's charts, drawn once by matplotlib: as SVG for the page (text turned into
outlines, so the Chinese labels show in any browser or mail client without a font or a
network) and as PNG for the Word document and its PDF."""

from __future__ import annotations

import io

from dagster_project.publish.bulletin.document import RATE, WAN, Chart

# The CJK faces of Debian's fonts-noto-cjk, simplified Chinese first; DejaVu last so that
# digits and Latin still draw where no CJK font is installed.
FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "DejaVu Sans")
_BAR = "#2f6fb0"
_BAR_NEGATIVE = "#c0504d"
_LINE_COLOURS = ("#2f6fb0", "#e48a3c", "#5b9b4f", "#8064a2")
_REFERENCE = "#c0504d"


def _figure(chart: Chart):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    plt.rcParams.update(
        {
            "font.family": "sans-serif",
            "font.sans-serif": list(FONT_FAMILIES),
            "axes.unicode_minus": False,
            "svg.fonttype": "path",
            "svg.hashsalt": "xmk",  # the same chart gives the same bytes
            "font.size": 9,
        }
    )
    width = max(6.0, min(11.0, 0.45 * len(chart.categories) + 2.5))
    fig, ax = plt.subplots(figsize=(width, 3.2), dpi=100)
    positions = range(len(chart.categories))
    if chart.kind == "bar":
        values = [v if v is not None else 0 for v in chart.series[0].values]
        colours = [_BAR if v >= 0 else _BAR_NEGATIVE for v in values]
        bars = ax.bar(positions, values, color=colours, width=0.6)
        for bar, value in zip(bars, chart.series[0].values, strict=True):
            if value is None:
                ax.annotate(
                    "无",
                    (bar.get_x() + bar.get_width() / 2, 0),
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color="#777",
                )
    else:
        for i, series in enumerate(chart.series):
            points = [
                (x, v) for x, v in zip(positions, series.values, strict=True) if v is not None
            ]
            if points:
                xs, ys = zip(*points, strict=True)
                ax.plot(
                    xs,
                    ys,
                    marker="o",
                    markersize=3,
                    linewidth=1.6,
                    color=_LINE_COLOURS[i % len(_LINE_COLOURS)],
                    label=series.name,
                )
        if len(chart.series) > 1:
            ax.legend(frameon=False, fontsize=8)
    if chart.reference is not None:
        ax.axhline(chart.reference, color=_REFERENCE, linestyle="--", linewidth=1)
    ax.set_xticks(
        list(positions),
        chart.categories,
        rotation=30 if chart.kind == "bar" else 0,
        ha="right" if chart.kind == "bar" else "center",
    )
    if chart.kind_of_value == RATE:
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    elif chart.kind_of_value == WAN:
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_title(chart.title, fontsize=10)
    ax.spines[["top", "right"]].set_visible(False)
    ax.axhline(0, color="#555", linewidth=0.8)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    fig.tight_layout()
    return fig


def chart_svg(chart: Chart) -> str:
    """The chart as an inline <svg> element (no XML prolog, no external reference)."""
    from matplotlib import pyplot as plt

    fig = _figure(chart)
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def chart_png(chart: Chart, dpi: int = 200) -> bytes:
    from matplotlib import pyplot as plt

    fig = _figure(chart)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()
