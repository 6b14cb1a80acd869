"""A ``Layout`` drawn as a standalone SVG document (``sfini graph --format svg``; no Graphviz).

The page draws the same layout the same way in the browser (``static/app.js``); this is the
file version, with its style sheet inside.
"""

from __future__ import annotations

from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from sfini_runtime.ui.layout import LaidOutEdge, LaidOutNode, Layout

__all__ = ["STATUS_COLOURS", "render_svg"]

#: fill and stroke of a state box by status (the page's style sheet uses the same)
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "not reached": ("#ffffff", "#8a94a6"),
    "running": ("#dbeafe", "#2563eb"),
    "succeeded": ("#dcfce7", "#16a34a"),
    "failed": ("#fee2e2", "#dc2626"),
    "caught": ("#ffedd5", "#ea580c"),
    "retried": ("#fef9c3", "#ca8a04"),
}
_MARGIN = 16

_STYLE = """
text { font: 12px sans-serif; fill: #1f2937; }
.edge { fill: none; stroke: #6b7280; stroke-width: 1.3; }
.edge.dashed { stroke-dasharray: 5 4; }
.edge-label { font-size: 10px; fill: #4b5563; }
.branch { fill: none; stroke: #cbd5e1; stroke-dasharray: 3 3; }
.branch-title { font-size: 10px; fill: #64748b; }
.terminal { fill: #374151; }
.type { font-size: 10px; fill: #6b7280; }
"""


def render_svg(layout: Layout, statuses: Mapping[str, str] | None = None) -> str:
    """SVG source of ``layout``; ``statuses`` (state name -> status) colours the states."""
    statuses = statuses or {}
    width, height = layout.width + 2 * _MARGIN, layout.height + 2 * _MARGIN
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}">',
        f"<title>{escape(layout.title)}</title>",
        f"<style>{_STYLE}</style>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" '
        'fill="#6b7280"/></marker></defs>',
        f'<g transform="translate({_MARGIN},{_MARGIN})">',
    ]
    for node in layout.nodes:
        parts.append(_node(node, statuses))
    for edge in layout.edges:
        parts.append(_edge(edge))
    parts.append("</g></svg>")
    return "\n".join(parts) + "\n"


def _node(node: LaidOutNode, statuses: Mapping[str, str]) -> str:
    x, y, w, h = node.x, node.y, node.width, node.height
    if node.kind in ("start", "end"):
        r = w / 2
        return f'<circle class="terminal" cx="{x + r:.1f}" cy="{y + r:.1f}" r="{r:.1f}"/>'
    if node.kind == "branch":
        return (
            f'<rect class="branch" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            'rx="4"/>'
            f'<text class="branch-title" x="{x + 5:.1f}" y="{y + 12:.1f}">'
            f"{escape(node.label)}</text>"
        )
    status = statuses.get(node.name or "", "not reached")
    fill, stroke = STATUS_COLOURS.get(status, STATUS_COLOURS["not reached"])
    name_y = y + 18 if node.container else y + h / 2 - 2
    anchor_x = x + w / 2
    return (
        f"<g data-state={quoteattr(node.name or '')} data-status={quoteattr(status)}>"
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
        f'<text x="{anchor_x:.1f}" y="{name_y:.1f}" text-anchor="middle">'
        f"{escape(node.label)}</text>"
        f'<text class="type" x="{anchor_x:.1f}" y="{name_y + 13:.1f}" text-anchor="middle">'
        f"{escape(node.state_type or '')}</text></g>"
    )


def _edge(edge: LaidOutEdge) -> str:
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in edge.points)
    classes = "edge dashed" if edge.dashed else "edge"
    drawn = f'<polyline class="{classes}" points="{points}" marker-end="url(#arrow)"/>'
    if edge.label:
        (x0, y0), (x1, y1) = _middle_segment(edge.points)
        label = escape(edge.label if len(edge.label) <= 40 else edge.label[:39] + "…")
        drawn += (
            f'<text class="edge-label" x="{(x0 + x1) / 2 + 4:.1f}" y="{(y0 + y1) / 2:.1f}">'
            f"{label}</text>"
        )
    return drawn


def _middle_segment(
    points: tuple[tuple[float, float], ...],
) -> tuple[tuple[float, float], tuple[float, float]]:
    if len(points) < 2:
        point = points[0] if points else (0.0, 0.0)
        return point, point
    index = (len(points) - 1) // 2
    return points[index], points[index + 1]
