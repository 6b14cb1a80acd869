"""Reading a mock configuration: the format, and one error naming file, line and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sfini_runtime.local.integrations.mocks import (
    MockConfigError,
    MockConfiguration,
    UnknownTestCase,
    state_names,
)

GOOD = {
    "StateMachines": {
        "LambdaSQSIntegration": {
            "TestCases": {
                "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQS"},
                "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQS"},
            }
        }
    },
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"ok": 1}}}},
        "MockedSQS": {"0": {"Return": {"MessageId": "m-1"}}},
        "MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "not ready"}},
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "timed out"}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"ok": 2}}},
        },
        "Unused": {},
    },
}


def test_the_documented_example_loads_from_a_path_json_text_and_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "MockConfigFile.json"
    path.write_text(json.dumps(GOOD, indent=2))
    for source in (path, str(path), json.dumps(GOOD), GOOD):
        config = MockConfiguration.load(source)
        assert config.test_case("LambdaSQSIntegration", "RetryPath") == {
            "LambdaState": "MockedLambdaRetry",
            "SQSState": "MockedSQS",
        }
        assert config.test_case("LambdaSQSIntegration", "Nope") is None
        assert config.test_case("Other", "HappyPath") is None
    assert MockConfiguration.load(path).name == str(path)


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (0, ("Lambda.ResourceNotReadyException", "not ready")),
        (1, ("Lambda.TimeoutException", "timed out")),
        (2, ("Lambda.TimeoutException", "timed out")),
        (3, {"StatusCode": 200, "Payload": {"ok": 2}}),
        (4, None),  # past the last key: no answer (the execution fails)
    ],
)
def test_invocation_keys_are_numbers_and_inclusive_ranges(index: int, expected: Any) -> None:
    response = MockConfiguration.load(GOOD).responses["MockedLambdaRetry"]
    invocation = response.for_invocation(index)
    if expected is None:
        assert invocation is None
    elif isinstance(expected, tuple):
        assert invocation is not None and invocation.is_throw
        assert (invocation.error, invocation.cause) == expected
    else:
        assert invocation is not None and not invocation.is_throw
        assert invocation.result == expected


def test_a_gap_between_keys_has_no_answer_and_keys_may_come_in_any_order() -> None:
    config = MockConfiguration.load(
        {"MockedResponses": {"R": {"5-6": {"Return": 2}, "0": {"Return": 0}, "2": {"Return": 1}}}}
    )
    response = config.responses["R"]
    answers = [response.for_invocation(i) for i in range(8)]
    assert [a.result if a else None for a in answers] == [0, None, 1, None, None, 2, 2, None]
    assert response.keys() == '"0", "2", "5-6"'
    assert config.responses["R"].for_invocation(0) is not None
    assert MockConfiguration.load({}).state_machines == {}


def test_a_throw_without_cause_and_a_null_return_are_accepted() -> None:
    config = MockConfiguration.load(
        {"MockedResponses": {"R": {"0": {"Throw": {"Error": "E"}}, "1": {"Return": None}}}}
    )
    first, second = config.responses["R"].invocations
    assert (first.is_throw, first.error, first.cause) == (True, "E", None)
    assert (second.is_throw, second.result) == (False, None)


BAD_TEXT = [
    # (file text, the error after "mocks.json ")
    ('{"StateMachines": {}', "line 1 column 21: not JSON: Expecting ',' delimiter"),
    ("", "line 1 column 1: not JSON: Expecting value"),
    ('{"MockedResponses": {"R": {"0": {"Return": NaN}}}}', "not JSON: NaN is not JSON"),
    ("[1, 2]", "line 1: (top level): a mock configuration is a JSON object, not an array"),
    (
        '{\n  "StateMachines": {},\n  "MockedResponse": {}\n}',
        "line 3: MockedResponse: unknown field (a mock configuration has StateMachines and "
        "MockedResponses)",
    ),
    (
        '{\n "MockedResponses": {\n  "R1": {\n   "0": {"Return": 1, "Throw": {}}\n  }\n }\n}',
        'line 4: MockedResponses.R1."0": needs exactly one of Return or Throw (found Return, '
        "Throw)",
    ),
    (
        '{\n "MockedResponses": {\n  "R1": {\n   "0": {}\n  }\n }\n}',
        'line 4: MockedResponses.R1."0": needs exactly one of Return or Throw (found no fields)',
    ),
    (
        '{"MockedResponses": {"R1": {"0": "ok"}}}',
        'line 1: MockedResponses.R1."0": needs exactly one of Return or Throw',
    ),
    (
        '{"MockedResponses": {\n"R1": {\n"first": {"Return": 1}}}}',
        "line 3: MockedResponses.R1.first: an invocation key is a zero-based invocation number "
        '("0") or an inclusive range ("1-2")',
    ),
    (
        '{"MockedResponses": {"R1": {"-1": {"Return": 1}}}}',
        'line 1: MockedResponses.R1."-1": an invocation key is a zero-based invocation number '
        '("0") or an inclusive range ("1-2")',
    ),
    (
        '{"MockedResponses": {"R1": {\n"3-1": {"Return": 1}}}}',
        'line 2: MockedResponses.R1."3-1": a range goes from the lower number up ("1-3")',
    ),
    (
        '{"MockedResponses": {"R1": {\n"0-2": {"Return": 1},\n"2": {"Return": 2}}}}',
        'line 3: MockedResponses.R1."2": overlaps "0-2" (invocation 2 would have two answers)',
    ),
    (
        '{"MockedResponses": {"R1": {\n"0": {"Return": 1},\n"0": {"Return": 2}}}}',
        'line 3: MockedResponses.R1."0": given twice (JSON keeps only the last one)',
    ),
    (
        '{"MockedResponses": {"R1": {"0": {"Throw": {"Cause": "c"}}}}}',
        'line 1: MockedResponses.R1."0".Throw: needs Error, the error name (a string)',
    ),
    (
        '{"MockedResponses": {"R1": {"0": {"Throw": {\n"Error": 5}}}}}',
        'line 2: MockedResponses.R1."0".Throw.Error: needs Error, the error name (a string)',
    ),
    (
        '{"MockedResponses": {"R1": {"0": {"Throw": {"Error": "E",\n"Cause": {}}}}}}',
        'line 2: MockedResponses.R1."0".Throw.Cause: must be a string, not an object',
    ),
    (
        '{"MockedResponses": {"R1": {"0": {"Throw": {"Error": "E",\n"Reason": "x"}}}}}',
        'line 2: MockedResponses.R1."0".Throw.Reason: unknown field (a Throw has Error and Cause)',
    ),
    (
        '{"MockedResponses": {"R1": {"0": {"Throw": "E"}}}}',
        'line 1: MockedResponses.R1."0".Throw: must be an object (with Error and Cause), not a '
        "string",
    ),
    (
        '{"MockedResponses": []}',
        "line 1: MockedResponses: must be an object (mocked responses by name), not an array",
    ),
    (
        '{"StateMachines": {"M": {"TestCase": {}}}}',
        "line 1: StateMachines.M.TestCase: unknown field (a state machine has TestCases)",
    ),
    ('{"StateMachines": {"M": {}}}', "line 1: StateMachines.M: needs TestCases"),
    (
        '{\n"StateMachines": {"M": {"TestCases": {\n"Happy Path": {\n"S": "Missing"}}}}}',
        'line 4: StateMachines.M.TestCases."Happy Path".S: names the mocked response '
        "'Missing', which MockedResponses does not define",
    ),
    (
        '{"StateMachines": {"M": {"TestCases": {"T": {"S": 1}}}}, "MockedResponses": {}}',
        "line 1: StateMachines.M.TestCases.T.S: must be the name of a mocked response (a "
        "string), not a number",
    ),
    (
        '{"StateMachines": {"M": {"TestCases": {"T": ["S"]}}}}',
        "line 1: StateMachines.M.TestCases.T: must be an object (mocked response names by state "
        "name), not an array",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_TEXT)
def test_a_bad_file_is_one_error_naming_file_line_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "mocks.json"
    path.write_text(text)
    with pytest.raises(MockConfigError) as caught:
        MockConfiguration.load(path)
    separator = " " if message.startswith("line ") else ": "
    assert str(caught.value) == f"{path}{separator}{message}"
    assert isinstance(caught.value, ValueError)


def test_a_mapping_has_no_lines_and_json_text_is_named_as_such() -> None:
    with pytest.raises(MockConfigError) as caught:
        MockConfiguration.load({"MockedResponses": {"R": {"0": {"Return": 1, "Throw": {}}}}})
    assert str(caught.value) == (
        'mock configuration: MockedResponses.R."0": needs exactly one of Return or Throw '
        "(found Return, Throw)"
    )
    with pytest.raises(MockConfigError) as caught:
        MockConfiguration.load({"MockedResponses": {"R": {0: {"Return": 1}}}})
    assert (
        str(caught.value)
        == "mock configuration: MockedResponses.R: keys must be strings, not a number 0"
    )
    with pytest.raises(MockConfigError) as caught:
        MockConfiguration.load('\n {"StateMachines": 3}')
    assert str(caught.value) == (
        "mock configuration (JSON text) line 2: StateMachines: must be an object (state "
        "machines by name), not a number"
    )


def test_unreadable_sources(tmp_path: Path) -> None:
    missing = tmp_path / "absent.json"
    with pytest.raises(MockConfigError) as caught:
        MockConfiguration.load(missing)
    assert str(caught.value) == (
        f"{missing}: cannot read the mock configuration: No such file or directory"
    )
    with pytest.raises(MockConfigError, match=r"cannot read the mock configuration: Is a dir"):
        MockConfiguration.load(tmp_path)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe{}")
    with pytest.raises(MockConfigError, match=r"binary\.json: not UTF-8 text"):
        MockConfiguration.load(binary)
    with pytest.raises(MockConfigError, match=r"^the mock configuration path is empty$"):
        MockConfiguration.load("")
    with pytest.raises(MockConfigError, match="a file path, JSON text or a mapping, not int"):
        MockConfiguration.load(42)


NESTED = {
    "StartAt": "P",
    "States": {
        "P": {
            "Type": "Parallel",
            "Branches": [{"StartAt": "B1", "States": {"B1": {"Type": "Pass", "End": True}}}],
            "Next": "M",
        },
        "M": {
            "Type": "Map",
            "ItemProcessor": {
                "StartAt": "Inner",
                "States": {
                    "Inner": {
                        "Type": "Map",
                        "Iterator": {"StartAt": "Deep", "States": {"Deep": {"Type": "Succeed"}}},
                        "End": True,
                    }
                },
            },
            "End": True,
        },
    },
}


def test_state_names_reach_into_parallel_branches_and_map_iterations() -> None:
    assert state_names(NESTED) == {"P", "B1", "M", "Inner", "Deep"}
    assert state_names(json.dumps(NESTED)) == {"P", "B1", "M", "Inner", "Deep"}


def test_test_cases_are_checked_against_the_machine(tmp_path: Path) -> None:
    path = tmp_path / "mocks.json"
    path.write_text(
        '{"StateMachines": {"M": {"TestCases": {\n'
        '  "Good": {"Deep": "R", "B1": "R"},\n'
        '  "Bad": {"Deep": "R",\n'
        '          "Typo": "R"}}}},\n'
        ' "MockedResponses": {"R": {"0": {"Return": 1}}}}'
    )
    config = MockConfiguration.load(path)
    with pytest.raises(MockConfigError) as caught:
        config.check_state_machine("M", json.dumps(NESTED))
    assert str(caught.value) == (
        f"{path} line 4: StateMachines.M.TestCases.Bad.Typo: test case 'Bad' names the state "
        "'Typo', which state machine 'M' does not have (its states: B1, Deep, Inner, M, P)"
    )
    config.check_state_machine("Other", json.dumps(NESTED))  # no test cases: nothing to check
    with pytest.raises(UnknownTestCase) as unknown:
        config.check_test_case("M", "Happy", json.dumps(NESTED))
    assert str(unknown.value) == (
        f"Test case 'Happy' of state machine 'M' is not in the mock configuration {path} "
        "(its test cases for that machine: 'Good', 'Bad')"
    )
    with pytest.raises(UnknownTestCase, match="its test cases for that machine: none"):
        config.check_test_case("Other", "Good", json.dumps(NESTED))
