"""Definitions the web view's tests draw and run."""

from __future__ import annotations

from typing import Any

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:"

#: every kind of nesting and transition: Parallel, Map, Choice (with a loop back), Catch
NESTED: dict[str, Any] = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {
            "Type": "Pass",
            "Next": "Check",
        },
        "Check": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.again", "IsPresent": True, "Next": "Prepare"},
                {"Variable": "$.big", "IsPresent": True, "Next": "Fan out"},
            ],
            "Default": "Done",
        },
        "Fan out": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "Left",
                    "States": {
                        "Left": {"Type": "Pass", "Next": "Left again"},
                        "Left again": {"Type": "Pass", "End": True},
                    },
                },
                {
                    "StartAt": "Each",
                    "States": {
                        "Each": {
                            "Type": "Map",
                            "ItemsPath": "$.items",
                            "ItemProcessor": {
                                "StartAt": "Item",
                                "States": {"Item": {"Type": "Pass", "End": True}},
                            },
                            "End": True,
                        }
                    },
                },
            ],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Broken"}],
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
        "Broken": {"Type": "Fail", "Error": "Broken"},
    },
}
