from __future__ import annotations

from typing import Any

import pytest

from sfini_asl.jsonpath import (
    PathNotFound,
    PathSyntaxError,
    ResultPathMatchFailure,
    compile_path,
    compile_reference_path,
    is_path,
    is_reference_path,
    jayway_path,
    set_at_path,
)

STORE = {
    "store": {
        "book": [
            {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
            {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
            {
                "category": "fiction",
                "author": "Herman Melville",
                "title": "Moby Dick",
                "isbn": "0-553-21311-3",
                "price": 8.99,
            },
        ],
        "bicycle": {"color": "red", "price": 19.95},
    },
    "expensive": 10,
    "delivery-partner": "UQS",
    "a b": 1,
    "empty": [],
    "nothing": None,
}

# (path, definite, value)
GET_TABLE: list[tuple[str, bool, Any]] = [
    ("$", True, STORE),
    ("$.expensive", True, 10),
    ("$.nothing", True, None),
    ("$.store.bicycle.color", True, "red"),
    ("$['store']['bicycle']['color']", True, "red"),
    ('$["store"]["bicycle"]', True, {"color": "red", "price": 19.95}),
    ("$.store.book[0].title", True, "Sayings"),
    ("$.store.book[-1].title", True, "Moby Dick"),
    ("$.delivery-partner", True, "UQS"),
    ("$['a b']", True, 1),
    ("$.store.book.length()", True, 3),
    ("$.store.book[*].author", False, ["Nigel Rees", "Evelyn Waugh", "Herman Melville"]),
    ("$.store.book[*].isbn", False, ["0-553-21311-3"]),
    ("$..price", False, [8.95, 12.99, 8.99, 19.95]),
    ("$.store.*.color", False, ["red"]),
    ("$.store.book[0,2].title", False, ["Sayings", "Moby Dick"]),
    ("$.store.book[1:].price", False, [12.99, 8.99]),
    ("$.store.book[:1].price", False, [8.95]),
    ("$.store.book[-2:].price", False, [12.99, 8.99]),
    ("$.store.book[::2].price", False, [8.95, 8.99]),
    ("$.store.book[?(@.isbn)].title", False, ["Moby Dick"]),
    ("$.store.book[?(@.price < 10)].title", False, ["Sayings", "Moby Dick"]),
    ("$.store.book[?(@.price < $.expensive)].title", False, ["Sayings", "Moby Dick"]),
    ("$.store.book[?(@.category == 'fiction' && @.price > 10)].title", False, ["Sword"]),
    ("$.store.book[?(@.category != 'fiction' || @.price > 10)].title", False, ["Sayings", "Sword"]),
    ("$.store.book[?(!(@.price > 9))].title", False, ["Sayings", "Moby Dick"]),
    ("$.store.book[?(@.author =~ /.*melville/i)].title", False, ["Moby Dick"]),
    ("$.store.book[?(@.category in ['reference', 'x'])].title", False, ["Sayings"]),
    ("$.store.book[?(@.category nin ['reference'])].title", False, ["Sword", "Moby Dick"]),
    ("$.store.book[?(@.price == 8.95)].title", False, ["Sayings"]),
    ("$.store.book[?(@.price == '8.95')].title", False, []),
    # indefinite paths that match nothing are empty lists, never errors (AWS corpus: base)
    ("$.missing[*].x", False, []),
    ("$.missing[1:]", False, []),
    ("$.empty[*]", False, []),
    ("$..nope", False, []),
]


@pytest.mark.parametrize(("path", "definite", "expected"), GET_TABLE)
def test_get(path: str, definite: bool, expected: Any) -> None:
    compiled = compile_path(path)
    assert compiled.definite is definite
    assert compiled.get(STORE) == expected


# (path, Jayway's message as AWS quotes it)
NOT_FOUND_TABLE = [
    ("$.NoSuchInputPath", "No results for path: $['NoSuchInputPath']"),
    ("$.store.nope", "No results for path: $['store']['nope']"),
    ("$.nope.x", "Missing property in path $['nope']"),
    ("$.store.book[3]", "No results for path: $['store']['book'][3]"),
    ("$.store.book[-4]", "No results for path: $['store']['book'][-4]"),
    ("$.expensive.x", "No results for path: $['expensive']['x']"),
    ("$.store[0]", "No results for path: $['store'][0]"),
    ("$.delivery-partner[0]", "No results for path: $['delivery-partner'][0]"),
]


@pytest.mark.parametrize(("path", "detail"), NOT_FOUND_TABLE)
def test_definite_path_not_found(path: str, detail: str) -> None:
    with pytest.raises(PathNotFound) as raised:
        compile_path(path).get(STORE)
    assert raised.value.detail == detail
    assert str(raised.value) == f"Invalid path '{path}' : {detail}"
    assert compile_path(path).find(STORE, default="dflt") == "dflt"
    assert not compile_path(path).exists(STORE)


def test_context_paths_read_the_context_object() -> None:
    context = {"Execution": {"Input": {"k": 1}, "Name": "run"}, "Map": {"Item": {"Index": 2}}}
    assert compile_path("$$.Execution.Input.k").get({"k": 9}, context) == 1
    assert compile_path("$$.Map.Item.Index").get(None, context) == 2
    assert compile_path("$$").get({}, context) is context
    with pytest.raises(PathNotFound):
        compile_path("$$.Execution.Nope").get({}, context)
    with pytest.raises(PathNotFound):
        compile_path("$$.Execution").get({}, None)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "a.b",
        "$.",
        "$..",
        "$[",
        "$[]",
        "$['a'",
        "$['a',",
        "$[1",
        "$[a]",
        "$[::0]",
        "$.a[?(@.b ==)]",
        "$.a[?(@.b =~ 'x')]",
        "$.a.nope()",
        "$.a.length().b",
        "$ x",
        "$.a)",
    ],
)
def test_syntax_errors(path: str) -> None:
    with pytest.raises(PathSyntaxError):
        compile_path(path)
    assert not is_path(path)


@pytest.mark.parametrize("path", [3, None, ["$.a"], {"$": 1}])
def test_non_string_path_is_a_syntax_error(path: Any) -> None:
    with pytest.raises(PathSyntaxError, match="must be a string"):
        compile_path(path)
    assert not is_path(path)
    assert not is_reference_path(path)


@pytest.mark.parametrize(
    ("path", "reference"),
    [
        ("$", True),
        ("$.a.b", True),
        ("$.a[0].b", True),
        ("$['a']", True),
        ("$.a[*]", False),
        ("$..a", False),
        ("$.a[1:]", False),
        ("$$.Execution", False),
        ("$.a.length()", False),
        ("nope", False),
    ],
)
def test_reference_paths(path: str, reference: bool) -> None:
    assert is_reference_path(path) is reference


def test_jayway_spelling() -> None:
    assert jayway_path("$.a['b c'][0][*]..d[1:2][?(@.x)]") == "$['a']['b c'][0][*]..['d'][1:2][?]"


# (input, ResultPath, result, expected output) from the AWS ResultPath page and edge cases
SET_TABLE: list[tuple[Any, str | None, Any, Any]] = [
    ({"comment": "x"}, None, "Hello", {"comment": "x"}),
    ({"comment": "x"}, "$", "Hello", "Hello"),
    ({"comment": "x"}, "$.taskresult", "Hello", {"comment": "x", "taskresult": "Hello"}),
    ({"a": {"b": 1}}, "$.a.c", 2, {"a": {"b": 1, "c": 2}}),
    ({"a": 1}, "$.x.y.z", 2, {"a": 1, "x": {"y": {"z": 2}}}),
    ({"a": {"b": 1}}, "$.a", 5, {"a": 5}),
    ({"list": [1, 2, 3]}, "$.list[1]", "two", {"list": [1, "two", 3]}),
    ({"list": [{"a": 1}]}, "$.list[0].b", 2, {"list": [{"a": 1, "b": 2}]}),
    ([1, 2], "$[0]", 9, [9, 2]),
    ({"a": None}, "$.a.b", 1, {"a": {"b": 1}}),
]


@pytest.mark.parametrize(("data", "path", "value", "expected"), SET_TABLE)
def test_set_at_path(data: Any, path: str | None, value: Any, expected: Any) -> None:
    snapshot = repr(data)
    assert set_at_path(data, path, value) == expected
    assert repr(data) == snapshot  # the input is never modified


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ("scalar", "$.a"),
        (None, "$.a"),
        ({"a": "text"}, "$.a.b"),
        ({"a": 1}, "$.a[0]"),
        ({"list": [1]}, "$.list[3]"),
        ({"list": [1]}, "$.list.b"),
        ({}, "$.missing[0]"),
    ],
)
def test_set_at_path_failures(data: Any, path: str) -> None:
    with pytest.raises(ResultPathMatchFailure, match=r"Unable to apply ReferencePath"):
        set_at_path(data, path, 1)


@pytest.mark.parametrize("path", ["$.a[*]", "$..a", "$$.Execution", "$.a[0:1]", "x"])
def test_set_at_path_needs_a_reference_path(path: str) -> None:
    with pytest.raises(PathSyntaxError):
        set_at_path({}, path, 1)
    with pytest.raises(PathSyntaxError):
        compile_reference_path(path)


def test_compiled_paths_are_cached() -> None:
    assert compile_path("$.cached.path") is compile_path("$.cached.path")
