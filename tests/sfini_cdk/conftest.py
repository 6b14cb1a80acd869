"""Fixtures for the definition-model tests.

Every definition a test renders through the ``render`` fixture is also linted with cfn-lint's
state machine schema, in one batch per test session (``tests/aslint.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.aslint import lint_definitions

ACCOUNT = "123456789012"
REGION = "us-east-1"


class FakeSession:
    """Stands in for ``sfini_runtime.session.AWSSession``: fixed partition, region, account."""

    partition = "aws"
    region = REGION
    account_id = ACCOUNT


def fake_arn(resource: object) -> str:
    """Resolver writing every Task resource as an activity ARN named after it."""
    name = getattr(resource, "name", None) or type(resource).__name__
    return f"arn:aws:states:{REGION}:{ACCOUNT}:activity:{name.replace(':', '-')}"


_rendered: dict[str, dict[str, Any]] = {}


@pytest.fixture(scope="session", autouse=True)
def _lint_everything_rendered() -> Iterator[None]:
    yield
    problems = lint_definitions(_rendered)
    assert not problems, "cfn-lint rejects rendered definitions:\n" + "\n".join(problems)


@pytest.fixture
def render(request: pytest.FixtureRequest) -> Callable[..., dict[str, Any]]:
    """Render a state machine with ``fake_arn`` (or the given resolver) and queue it for
    cfn-lint."""
    count = 0

    def _render(state_machine: Any, resources: Any = fake_arn) -> dict[str, Any]:
        nonlocal count
        definition = state_machine.to_dict(resources=resources)
        _rendered[f"{request.node.nodeid}#{count}"] = definition
        count += 1
        return definition

    return _render


@pytest.fixture
def lint(request: pytest.FixtureRequest) -> Callable[[dict[str, Any]], None]:
    """Queue a raw ASL definition (one our validation accepts) for the cfn-lint batch."""
    count = 0

    def _lint(definition: dict[str, Any]) -> None:
        nonlocal count
        _rendered[f"{request.node.nodeid}#raw{count}"] = definition
        count += 1

    return _lint
