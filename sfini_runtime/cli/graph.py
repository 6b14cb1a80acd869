"""A state machine's graph (from its ASL definition) as Mermaid or Graphviz DOT.

SVG is drawn from the same graph by ``sfini_runtime.ui`` (laid out by grandalf, no Graphviz).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

__all__ = [
    "Graph",
    "build_graph",
    "to_dot",
    "to_mermaid",
]


@dataclasses.dataclass
class Graph:
    """Nodes (id -> label, shape), edges (from, to, label, dashed), clusters (nested), and
    the state each node draws (id -> (state name, state type); start and end nodes have none)."""

    title: str
    nodes: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    edges: list[tuple[str, str, str, bool]] = dataclasses.field(default_factory=list)
    clusters: list[tuple[str, str, Graph]] = dataclasses.field(default_factory=list)
    states: dict[str, tuple[str, str]] = dataclasses.field(default_factory=dict)


def _choice_label(rule: Mapping[str, Any]) -> str:
    if "Condition" in rule:
        return str(rule["Condition"])
    for key, value in rule.items():
        if key in ("Variable", "Next", "Comment", "Assign", "Output"):
            continue
        if key in ("And", "Or", "Not"):
            return key
        return f"{rule.get('Variable', '')} {key} {value}".strip()
    return "rule"


def build_graph(definition: Mapping[str, Any], title: str = "state machine") -> Graph:
    """The graph of an ASL ``definition`` (Parallel branches and Map processors as clusters)."""
    counter = iter(range(1_000_000))
    return _build(definition, title, counter, "")


def _build(definition: Mapping[str, Any], title: str, counter: Any, prefix: str) -> Graph:
    graph = Graph(title)
    states: Mapping[str, Any] = definition.get("States", {})
    ids = {name: f"{prefix}s{next(counter)}" for name in states}
    # "end" is a keyword in Mermaid: the terminal nodes get ids that are not
    start, end = f"{prefix}start_node", f"{prefix}end_node"
    graph.nodes[start] = ("start", "circle")
    graph.nodes[end] = ("end", "circle")
    if definition.get("StartAt") in ids:
        graph.edges.append((start, ids[definition["StartAt"]], "", False))
    for name, state in states.items():
        node = ids[name]
        kind = state.get("Type", "")
        graph.nodes[node] = (f"{name}\n({kind})", "diamond" if kind == "Choice" else "box")
        graph.states[node] = (name, kind)
        if "Next" in state and state["Next"] in ids:
            graph.edges.append((node, ids[state["Next"]], "", False))
        if state.get("End") or kind in ("Succeed", "Fail"):
            graph.edges.append((node, end, "", False))
        for rule in state.get("Choices", []):
            if rule.get("Next") in ids:
                graph.edges.append((node, ids[rule["Next"]], _choice_label(rule), False))
        if state.get("Default") in ids:
            graph.edges.append((node, ids[state["Default"]], "default", False))
        for catcher in state.get("Catch", []):
            if catcher.get("Next") in ids:
                label = "catch " + ", ".join(catcher.get("ErrorEquals", []))
                graph.edges.append((node, ids[catcher["Next"]], label, True))
        branches = list(state.get("Branches", []))
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            branches.append(processor)
        for index, branch in enumerate(branches):
            label = f"{name} branch {index + 1}" if kind == "Parallel" else f"{name} items"
            sub = _build(branch, label, counter, f"{node}_{index}_")
            graph.clusters.append((f"{node}_{index}", node, sub))
    return graph


def _escape(text: str) -> str:
    return text.replace('"', "#quot;")


def to_mermaid(graph: Graph) -> str:
    """Mermaid ``flowchart`` source."""
    lines = ["flowchart TD"]
    _mermaid_body(graph, lines, "    ")
    return "\n".join(lines) + "\n"


def _mermaid_body(graph: Graph, lines: list[str], indent: str) -> None:
    for node, (label, shape) in graph.nodes.items():
        text = _escape(label).replace("\n", "<br/>")
        if shape == "circle":
            lines.append(f'{indent}{node}(("{text}"))')
        elif shape == "diamond":
            lines.append(f'{indent}{node}{{"{text}"}}')
        else:
            lines.append(f'{indent}{node}["{text}"]')
    for cluster_id, owner, sub in graph.clusters:
        lines.append(f'{indent}subgraph {cluster_id}["{_escape(sub.title)}"]')
        _mermaid_body(sub, lines, indent + "    ")
        lines.append(f"{indent}end")
        lines.append(f"{indent}{owner} -.- {cluster_id}")
    for source, target, label, dashed in graph.edges:
        arrow = "-.->" if dashed else "-->"
        text = f'|"{_escape(label)}"|' if label else ""
        lines.append(f"{indent}{source} {arrow}{text} {target}")


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Graph) -> str:
    """Graphviz DOT source."""
    lines = [f"digraph {_dot_quote(graph.title)} {{", "    node [shape=box, style=rounded];"]
    _dot_body(graph, lines, "    ")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_body(graph: Graph, lines: list[str], indent: str) -> None:
    for node, (label, shape) in graph.nodes.items():
        lines.append(f"{indent}{node} [label={_dot_quote(label)}, shape={shape}];")
    for cluster_id, owner, sub in graph.clusters:
        lines.append(f"{indent}subgraph cluster_{cluster_id} {{")
        lines.append(f"{indent}    label={_dot_quote(sub.title)};")
        _dot_body(sub, lines, indent + "    ")
        lines.append(f"{indent}}}")
        lines.append(f"{indent}{owner} -> {sub_start(cluster_id)} [style=dotted];")
    for source, target, label, dashed in graph.edges:
        attributes = []
        if label:
            attributes.append(f"label={_dot_quote(label)}")
        if dashed:
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"{indent}{source} -> {target}{suffix};")


def sub_start(cluster_id: str) -> str:
    """The start node of the cluster ``cluster_id``."""
    return f"{cluster_id}_start_node"
