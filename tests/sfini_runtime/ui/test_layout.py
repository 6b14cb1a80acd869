"""The layout of a definition's graph: every state placed, containers around their branches,
nothing overlapping, edges from their source to their target, a limit on size."""

from __future__ import annotations

import pytest

from benchmarks.ui import chain
from sfini_runtime.ui.layout import LaidOutNode, Layout, LayoutTooLarge, layout_definition
from tests.sfini_runtime.ui.definitions import NESTED


def by_name(layout: Layout) -> dict[str, LaidOutNode]:
    return {node.name: node for node in layout.nodes if node.kind == "state"}


def inside(inner: LaidOutNode, outer: LaidOutNode) -> bool:
    return (
        outer.x <= inner.x
        and outer.y <= inner.y
        and inner.x + inner.width <= outer.x + outer.width
        and inner.y + inner.height <= outer.y + outer.height
    )


def overlap(a: LaidOutNode, b: LaidOutNode) -> bool:
    return not (
        a.x + a.width <= b.x
        or b.x + b.width <= a.x
        or a.y + a.height <= b.y
        or b.y + b.height <= a.y
    )


def near(point: tuple[float, float], node: LaidOutNode, slack: float = 2.0) -> bool:
    x, y = point
    return (
        node.x - slack <= x <= node.x + node.width + slack
        and node.y - slack <= y <= node.y + node.height + slack
    )


def test_every_state_is_placed_with_its_type() -> None:
    states = by_name(layout_definition(NESTED, "nested"))
    assert set(states) == {
        "Prepare", "Check", "Fan out", "Left", "Left again", "Each", "Item", "Done", "Broken"
    }  # fmt: skip
    assert states["Fan out"].state_type == "Parallel"
    assert states["Fan out"].container and states["Each"].container
    assert not states["Item"].container


def test_parallel_branches_and_map_processors_are_nested_inside_their_state() -> None:
    layout = layout_definition(NESTED)
    states = by_name(layout)
    frames = {node.label: node for node in layout.nodes if node.kind == "branch"}
    assert set(frames) == {"Fan out branch 1", "Fan out branch 2", "Each items"}
    for frame in ("Fan out branch 1", "Fan out branch 2"):
        assert inside(frames[frame], states["Fan out"])
    assert inside(states["Left"], frames["Fan out branch 1"])
    assert inside(states["Each"], frames["Fan out branch 2"])
    assert inside(frames["Each items"], states["Each"])
    assert inside(states["Item"], frames["Each items"])
    # the two branches side by side, not on top of each other
    assert not overlap(frames["Fan out branch 1"], frames["Fan out branch 2"])


def test_no_two_nodes_of_one_level_overlap() -> None:
    states = by_name(layout_definition(NESTED))
    top_level = [states[name] for name in ("Prepare", "Check", "Fan out", "Done", "Broken")]
    for index, node in enumerate(top_level):
        for other in top_level[index + 1 :]:
            assert not overlap(node, other), (node.name, other.name)


def test_the_flow_goes_down_and_every_node_fits_the_drawing() -> None:
    layout = layout_definition(NESTED)
    states = by_name(layout)
    assert states["Prepare"].y < states["Check"].y < states["Fan out"].y < states["Done"].y
    for node in layout.nodes:
        assert node.x >= 0 and node.x + node.width <= layout.width + 0.01
        assert node.y >= 0 and node.y + node.height <= layout.height + 0.01


def test_each_edge_runs_from_its_source_to_its_target_even_back_up_a_loop() -> None:
    layout = layout_definition(NESTED)
    nodes = {node.id: node for node in layout.nodes}
    assert len(layout.edges) == 9 + 3 + 2 + 2  # top level, branch 1, branch 2, items
    for edge in layout.edges:
        assert near(edge.points[0], nodes[edge.source]), edge
        assert near(edge.points[-1], nodes[edge.target]), edge
    names = {node.id: node.name for node in layout.nodes}
    back = [e for e in layout.edges if (names[e.source], names[e.target]) == ("Check", "Prepare")]
    assert len(back) == 1 and back[0].label == "$.again IsPresent True"
    catch = [e for e in layout.edges if e.dashed]
    assert [(names[e.source], names[e.target], e.label) for e in catch] == [
        ("Fan out", "Broken", "catch States.ALL")
    ]


def test_a_state_that_loops_to_itself_gets_a_loop() -> None:
    definition = {
        "StartAt": "Poll",
        "States": {
            "Poll": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.done", "BooleanEquals": False, "Next": "Poll"}],
                "Default": "End",
            },
            "End": {"Type": "Succeed"},
        },
    }
    layout = layout_definition(definition)
    poll = by_name(layout)["Poll"]
    loops = [e for e in layout.edges if e.source == e.target]
    assert len(loops) == 1
    assert all(near(point, poll, slack=30) for point in loops[0].points)


def test_the_json_for_the_page_has_every_node_and_edge() -> None:
    data = layout_definition(NESTED, "nested").to_json()
    assert data["title"] == "nested"
    assert {node["name"] for node in data["nodes"] if node["kind"] == "state"} >= {"Item", "Done"}
    assert all(len(edge["points"]) >= 2 for edge in data["edges"])
    assert {"x", "y", "width", "height", "type", "container"} <= set(data["nodes"][0])


def test_a_machine_of_three_thousand_states_is_refused_as_too_large() -> None:
    with pytest.raises(LayoutTooLarge) as refused:
        layout_definition(chain(3000))
    assert refused.value.nodes == 3002  # the states, start and end
    assert "3,002 nodes, more than the 400" in str(refused.value)


def test_the_limit_can_be_raised_or_lifted() -> None:
    assert len(by_name(layout_definition(chain(450), max_nodes=None))) == 450
    with pytest.raises(LayoutTooLarge):
        layout_definition(chain(450))
