"""The cfn-lint helper itself: it reports real problems and tolerates only known schema gaps."""

from __future__ import annotations

from tests.aslint import lint_definitions


def test_reports_invalid_definitions_with_their_label():
    problems = lint_definitions(
        {
            "good": {"StartAt": "a", "States": {"a": {"Type": "Succeed"}}},
            "bad": {"StartAt": "a", "States": {"a": {"Type": "Pass", "Bogus": 1, "End": True}}},
        }
    )
    assert len(problems) == 1
    assert problems[0].startswith("bad: E3601")
    assert "Bogus" in problems[0]


def test_tolerates_documented_schema_gaps_only():
    succeed_paths = {
        "StartAt": "a",
        "States": {"a": {"Type": "Succeed", "InputPath": "$.x", "OutputPath": "$.y"}},
    }
    jsonata_timeout = {
        "QueryLanguage": "JSONata",
        "StartAt": "t",
        "States": {
            "t": {
                "Type": "Task",
                "Resource": "arn:aws:states:us-east-1:123456789012:activity:a",
                "TimeoutSeconds": "{% 5 %}",
                "End": True,
            }
        },
    }
    jsonpath_timeout = {**jsonata_timeout, "QueryLanguage": "JSONPath"}
    jsonata_percentage = {
        "QueryLanguage": "JSONata",
        "StartAt": "m",
        "States": {
            "m": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "s", "States": {"s": {"Type": "Succeed"}}},
                "ToleratedFailurePercentage": "{% 5 %}",
                "End": True,
            }
        },
    }
    parallel_parameters = {
        "StartAt": "p",
        "States": {
            "p": {
                "Type": "Parallel",
                "Parameters": {"id.$": "$.id"},
                "Branches": [{"StartAt": "s", "States": {"s": {"Type": "Succeed"}}}],
                "End": True,
            }
        },
    }
    assert (
        lint_definitions(
            {
                "succeed": succeed_paths,
                "jsonata": jsonata_timeout,
                "percentage": jsonata_percentage,
                "parallel": parallel_parameters,
            }
        )
        == []
    )
    assert len(lint_definitions({"jsonpath": jsonpath_timeout})) == 1
    jsonpath_percentage = {**jsonata_percentage, "QueryLanguage": "JSONPath"}
    assert len(lint_definitions({"jsonpath-percentage": jsonpath_percentage})) == 1
