"""Reading rendered ASL: states in branches, placeholders, integration patterns."""

from __future__ import annotations

import pytest

from sfini_cdk.constructs.asl import TaskUse, integration_pattern, iter_states, task_uses


@pytest.mark.parametrize(
    ("resource", "pattern"),
    [
        ("${ActivityX}", "direct"),
        ("arn:aws:lambda:eu-west-1:123456789012:function:f", "direct"),
        ("arn:aws:states:::lambda:invoke", "request"),
        ("arn:aws:states:::states:startExecution", "request"),
        ("arn:aws:states:::states:startExecution.sync", "sync"),
        ("arn:aws:states:::states:startExecution.sync:2", "sync"),
        ("arn:aws-cn:states:::states:startExecution.waitForTaskToken", "callback"),
    ],
)
def test_integration_pattern(resource: str, pattern: str) -> None:
    assert integration_pattern(resource) == pattern


def test_task_uses_reach_into_parallel_branches_and_map_processors() -> None:
    definition = {
        "StartAt": "par",
        "States": {
            "par": {
                "Type": "Parallel",
                "Next": "map",
                "Branches": [
                    {
                        "StartAt": "a",
                        "States": {"a": {"Type": "Task", "Resource": "${A}", "End": True}},
                    }
                ],
            },
            "map": {
                "Type": "Map",
                "End": True,
                "ItemProcessor": {
                    "StartAt": "n",
                    "States": {
                        "n": {
                            "Type": "Task",
                            "Resource": "${Run}",
                            "Parameters": {"StateMachineArn": "${Child}", "Input.$": "$"},
                            "End": True,
                        }
                    },
                },
            },
        },
    }
    assert [name for name, _ in iter_states(definition)] == ["par", "a", "map", "n"]
    uses = task_uses(definition, {"Run": "arn:aws:states:::states:startExecution.sync:2"})
    assert uses == [
        TaskUse("a", "A", "direct"),
        TaskUse("n", "Run", "sync"),
        TaskUse("n", "Child", "sync"),
    ]
