"""Where each state of a definition's graph sits: a layered (Sugiyama) layout by grandalf.

``layout_definition`` turns an ASL definition into a ``Layout``: boxes for states (a Parallel
or Map state is a box holding its branches or item processor, laid out the same way, inside),
circles for start and end, polylines for transitions, all in absolute pixel coordinates. The
web view draws it in the browser from ``Layout.to_json()``; ``sfini graph --format svg`` draws
it with :func:`sfini_runtime.ui.svg.render_svg`. Past ``max_nodes`` nodes (3,000 states would
take grandalf many seconds) it raises ``LayoutTooLarge`` instead.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Mapping
from typing import Any

from sfini_runtime.cli.graph import Graph, build_graph

__all__ = [
    "DEFAULT_MAX_NODES",
    "LaidOutEdge",
    "LaidOutNode",
    "Layout",
    "LayoutTooLarge",
    "count_nodes",
    "layout_definition",
    "layout_graph",
]

#: nodes (states, start and end circles) laid out at most: grandalf takes 0.5-1 s for 400 (its
#: cost grows faster than the number of layers, so a long chain of states costs most)
DEFAULT_MAX_NODES = 400

_BOX_HEIGHT = 44
_BOX_MIN_WIDTH = 110
_CHAR_WIDTH = 7.2
_LABEL_CHAR_WIDTH = 6.0
_CIRCLE = 26
_PADDING = 14
_HEADER = 34
_FRAME_TITLE = 16
_BRANCH_GAP = 18
_LAYER_GAP = 36
_NODE_GAP = 28


class LayoutTooLarge(ValueError):
    """The graph has more nodes than the layout draws in reasonable time."""

    def __init__(self, nodes: int, limit: int) -> None:
        self.nodes = nodes
        self.limit = limit
        super().__init__(
            f"the graph has {nodes:,} nodes, more than the {limit:,} that can be drawn"
        )


@dataclasses.dataclass(frozen=True)
class LaidOutNode:
    """A node at ``(x, y)`` (its top-left corner), ``width`` by ``height`` pixels.

    ``kind`` is ``state`` (``name`` and ``state_type`` set), ``start``, ``end`` or ``branch``
    (the frame of one Parallel branch or Map item processor, ``label`` its title).
    """

    id: str
    kind: str
    label: str
    x: float
    y: float
    width: float
    height: float
    name: str | None = None
    state_type: str | None = None
    container: bool = False

    def to_json(self) -> dict[str, Any]:
        """The node as JSON for the page."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": self.label,
            "x": round(self.x, 1),
            "y": round(self.y, 1),
            "width": round(self.width, 1),
            "height": round(self.height, 1),
            "name": self.name,
            "type": self.state_type,
            "container": self.container,
        }


@dataclasses.dataclass(frozen=True)
class LaidOutEdge:
    """A transition drawn through ``points``; ``dashed`` for a Catch."""

    source: str
    target: str
    points: tuple[tuple[float, float], ...]
    label: str = ""
    dashed: bool = False

    def to_json(self) -> dict[str, Any]:
        """The edge as JSON for the page."""
        return {
            "source": self.source,
            "target": self.target,
            "points": [[round(x, 1), round(y, 1)] for x, y in self.points],
            "label": self.label,
            "dashed": self.dashed,
        }


@dataclasses.dataclass(frozen=True)
class Layout:
    """A whole graph laid out: ``width`` by ``height`` pixels; containers before their
    contents in ``nodes``, so drawing in order puts the contents on top."""

    title: str
    width: float
    height: float
    nodes: tuple[LaidOutNode, ...]
    edges: tuple[LaidOutEdge, ...]

    def to_json(self) -> dict[str, Any]:
        """The layout as JSON for the page."""
        return {
            "title": self.title,
            "width": round(self.width, 1),
            "height": round(self.height, 1),
            "nodes": [node.to_json() for node in self.nodes],
            "edges": [edge.to_json() for edge in self.edges],
        }


def count_nodes(graph: Graph) -> int:
    """How many nodes ``graph`` has, those of its clusters included."""
    return len(graph.nodes) + sum(count_nodes(sub) for _, _, sub in graph.clusters)


def layout_definition(
    definition: Mapping[str, Any],
    title: str = "state machine",
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> Layout:
    """Lay out an ASL ``definition``; raises ``LayoutTooLarge`` past ``max_nodes`` nodes."""
    return layout_graph(build_graph(definition, title), max_nodes=max_nodes)


def layout_graph(graph: Graph, *, max_nodes: int | None = DEFAULT_MAX_NODES) -> Layout:
    """Lay out a ``Graph`` (from ``build_graph``); raises ``LayoutTooLarge`` past
    ``max_nodes`` nodes."""
    total = count_nodes(graph)
    if max_nodes is not None and total > max_nodes:
        raise LayoutTooLarge(total, max_nodes)
    # grandalf recurses along paths: as deep as the longest chain of states
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 3 * total + 1000))
    try:
        block = _lay_out(graph)
    except RecursionError:
        raise LayoutTooLarge(total, total - 1) from None
    finally:
        sys.setrecursionlimit(limit)
    nodes: list[LaidOutNode] = []
    edges: list[LaidOutEdge] = []
    block.place(0.0, 0.0, nodes, edges)
    return Layout(graph.title, block.width, block.height, tuple(nodes), tuple(edges))


# -- the recursive layout -----------------------------------------------------------------------


@dataclasses.dataclass
class _Block:
    """A laid-out graph in its own coordinates (top-left at 0, 0)."""

    width: float
    height: float
    nodes: list[LaidOutNode]
    edges: list[LaidOutEdge]
    # owner node id -> its branch frames (x, y relative to the owner's top-left corner, id,
    # title, contents); a frame's title sits above its contents
    inner: dict[str, list[tuple[float, float, str, str, _Block]]]

    def place(
        self, dx: float, dy: float, nodes: list[LaidOutNode], edges: list[LaidOutEdge]
    ) -> None:
        for node in self.nodes:
            nodes.append(dataclasses.replace(node, x=node.x + dx, y=node.y + dy))
            for bx, by, frame_id, title, sub in self.inner.get(node.id, []):
                x0, y0 = node.x + dx + bx, node.y + dy + by
                height = sub.height + _FRAME_TITLE
                nodes.append(LaidOutNode(frame_id, "branch", title, x0, y0, sub.width, height))
                sub.place(x0, y0 + _FRAME_TITLE, nodes, edges)
        for edge in self.edges:
            points = tuple((x + dx, y + dy) for x, y in edge.points)
            edges.append(dataclasses.replace(edge, points=points))


def _box_size(label: str, shape: str) -> tuple[float, float]:
    if shape == "circle":
        return _CIRCLE, _CIRCLE
    longest = max((len(line) for line in label.splitlines()), default=0)
    width = max(_BOX_MIN_WIDTH, longest * _CHAR_WIDTH + 2 * _PADDING)
    return width, _BOX_HEIGHT


def _lay_out(graph: Graph) -> _Block:
    """Lay out one level: the branches inside each container first, then this level."""
    inner: dict[str, list[tuple[float, float, str, str, _Block]]] = {}
    sizes: dict[str, tuple[float, float]] = {}
    for node, (label, shape) in graph.nodes.items():
        sizes[node] = _box_size(label, shape)
    for cluster_id, owner, sub in graph.clusters:
        inner.setdefault(owner, []).append((0.0, 0.0, cluster_id, sub.title, _lay_out(sub)))
    for owner, frames in inner.items():
        x = float(_PADDING)
        placed = []
        for _, _, frame_id, title, sub in frames:
            placed.append((x, float(_HEADER + _PADDING), frame_id, title, sub))
            x += sub.width + _BRANCH_GAP
        width = max(sizes[owner][0], x - _BRANCH_GAP + _PADDING)
        height = _HEADER + 2 * _PADDING + _FRAME_TITLE + max(sub.height for *_, sub in frames)
        inner[owner] = placed
        sizes[owner] = (width, height)
    centres, paths = _sugiyama(graph, sizes)
    nodes = []
    for node, (label, _shape) in graph.nodes.items():
        width, height = sizes[node]
        cx, cy = centres[node]
        name, state_type = graph.states.get(node, (None, None))
        kind = "state" if name is not None else ("start" if label == "start" else "end")
        nodes.append(
            LaidOutNode(
                node,
                kind,
                name if name is not None else label,
                cx - width / 2,
                cy - height / 2,
                width,
                height,
                name,
                state_type,
                node in inner,
            )
        )
    edges = [
        LaidOutEdge(source, target, paths[index], label, dashed)
        for index, (source, target, label, dashed) in enumerate(graph.edges)
    ]
    # shift everything so the top-left corner of the bounding box is (0, 0)
    xs = [n.x for n in nodes] + [x for e in edges for x, _ in e.points]
    ys = [n.y for n in nodes] + [y for e in edges for _, y in e.points]
    right = [n.x + n.width for n in nodes] + [x for e in edges for x, _ in e.points]
    right += [_label_right(edge) for edge in edges if edge.label]
    bottom = [n.y + n.height for n in nodes] + [y for e in edges for _, y in e.points]
    left, top = min(xs, default=0.0), min(ys, default=0.0)
    nodes = [dataclasses.replace(n, x=n.x - left, y=n.y - top) for n in nodes]
    edges = [
        dataclasses.replace(e, points=tuple((x - left, y - top) for x, y in e.points))
        for e in edges
    ]
    width = max(right, default=0.0) - left
    height = max(bottom, default=0.0) - top
    return _Block(width, height, nodes, edges, inner)


def _label_right(edge: LaidOutEdge) -> float:
    """Where an edge's label ends on the right (drawn from the middle of its middle segment,
    40 characters at most)."""
    index = (len(edge.points) - 1) // 2
    (x0, _), (x1, _) = edge.points[index], edge.points[min(index + 1, len(edge.points) - 1)]
    return (x0 + x1) / 2 + 4 + min(len(edge.label), 40) * _LABEL_CHAR_WIDTH


class _View:
    """What grandalf reads and writes on a vertex or an edge."""

    def __init__(self, width: float = 0.0, height: float = 0.0) -> None:
        self.w = width
        self.h = height
        self.xy: tuple[float, float] = (0.0, 0.0)
        self.points: list[tuple[float, float]] = []

    def setpath(self, points: list[Any]) -> None:
        self.points = [(float(x), float(y)) for x, y in points]


def _sugiyama(
    graph: Graph, sizes: Mapping[str, tuple[float, float]]
) -> tuple[dict[str, tuple[float, float]], list[tuple[tuple[float, float], ...]]]:
    """Centre of each node, and the points of each edge, for one level of the graph."""
    from grandalf.graphs import Edge, Vertex
    from grandalf.graphs import Graph as GrandalfGraph
    from grandalf.layouts import SugiyamaLayout
    from grandalf.routing import route_with_lines

    vertices = {}
    for node in graph.nodes:
        vertex = Vertex(node)
        vertex.view = _View(*sizes[node])
        vertices[node] = vertex
    laid: dict[int, Any] = {}
    grandalf_edges = []
    for index, (source, target, _, _) in enumerate(graph.edges):
        if source == target:  # a state that goes back to itself: drawn as a loop below
            continue
        edge = Edge(vertices[source], vertices[target])
        edge.view = _View()
        laid[index] = edge
        grandalf_edges.append(edge)
    full = GrandalfGraph(list(vertices.values()), grandalf_edges)
    # each connected component on its own, then side by side, in the order of the definition
    x_offset = 0.0
    for component in full.C:
        layout = SugiyamaLayout(component)
        layout.xspace = _NODE_GAP
        layout.yspace = _LAYER_GAP
        layout.route_edge = route_with_lines
        layout.init_all()
        layout.draw(1)
        members = list(component.sV)
        left = min(v.view.xy[0] - v.view.w / 2 for v in members)
        right = max(v.view.xy[0] + v.view.w / 2 for v in members)
        shift = x_offset - left
        for vertex in members:
            x, y = vertex.view.xy
            vertex.view.xy = (x + shift, y)
        for edge in component.sE:
            edge.view.points = [(x + shift, y) for x, y in edge.view.points]
        x_offset += right - left + _NODE_GAP * 2
    centres = {node: vertex.view.xy for node, vertex in vertices.items()}
    paths: list[tuple[tuple[float, float], ...]] = []
    for index, (source, target, _, _) in enumerate(graph.edges):
        edge = laid.get(index)
        if edge is not None and edge.view.points:
            points = edge.view.points
            if edge.v[0] is not vertices[source]:  # grandalf reversed it to break a cycle
                points = points[::-1]
            if len(points) == 2 and centres[target][1] < centres[source][1]:
                # back up to the layer above: beside the edge coming down, not on top of it
                points = _side_route(centres[source], sizes[source], centres[target], sizes[target])
            paths.append(tuple(points))
        elif source == target:
            paths.append(_self_loop(centres[source], sizes[source]))
        else:
            paths.append((centres[source], centres[target]))
    return centres, paths


def _side_route(
    source: tuple[float, float],
    source_size: tuple[float, float],
    target: tuple[float, float],
    target_size: tuple[float, float],
) -> list[tuple[float, float]]:
    """From the right of ``source`` out, up, and into the right of ``target``."""
    source_right = source[0] + source_size[0] / 2
    target_right = target[0] + target_size[0] / 2
    lane = max(source_right, target_right) + 18
    return [
        (source_right, source[1]),
        (lane, source[1]),
        (lane, target[1]),
        (target_right, target[1]),
    ]


def _self_loop(
    centre: tuple[float, float], size: tuple[float, float]
) -> tuple[tuple[float, float], ...]:
    x, y = centre
    right = x + size[0] / 2
    return ((right, y - 8), (right + 22, y - 8), (right + 22, y + 8), (right, y + 8))
