"""``sfini test-state``: run one state with Step Functions' TestState API (on AWS or the local
engine) and show its outcome and, at DEBUG or TRACE, each data-flow step."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from sfini_runtime.cli import common

__all__ = ["test_state"]

LEVELS = ("INFO", "DEBUG", "TRACE")
VALIDATION_MODES = ("STRICT", "PRESENT", "NONE")


def _text(value: str, what: str) -> str:
    """JSON given inline, or the text of a file ('-': standard input)."""
    if value == "-":
        return sys.stdin.read()
    if value.lstrip()[:1] in ("{", "[", '"') or value.strip() in ("null", "true", "false"):
        return value
    path = Path(value)
    if path.is_file():
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise click.ClickException(f"cannot read {what} file {value}: {error}") from None
    try:
        json.loads(value)
    except ValueError:
        raise click.ClickException(f"{what} is neither JSON nor a file: {value}") from None
    return value


def _json_text(value: str | None, what: str) -> str | None:
    """The option's JSON (inline or from a file), checked, as text."""
    if value is None:
        return None
    text = _text(value, what)
    try:
        json.loads(text)
    except ValueError as error:
        raise click.ClickException(f"{what} is not valid JSON: {error}") from None
    return text


def _request(options: dict[str, Any]) -> dict[str, Any]:
    definition = _json_text(options["definition"], "the definition")
    request: dict[str, Any] = {"definition": definition, "inspectionLevel": options["level"]}
    for key, option, what in (
        ("input", "input_", "the input"),
        ("variables", "variables", "the variables"),
        ("context", "context", "the context"),
    ):
        text = _json_text(options[option], what)
        if text is not None:
            request[key] = text
    if options["state_name"]:
        request["stateName"] = options["state_name"]
    if options["role_arn"]:
        request["roleArn"] = options["role_arn"]
    if options["reveal_secrets"]:
        request["revealSecrets"] = True
    mock_result, mock_error = options["mock_result"], options["mock_error"]
    if mock_result is not None and mock_error is not None:
        raise click.UsageError("give --mock-result or --mock-error, not both")
    if options["mock_cause"] is not None and mock_error is None:
        raise click.UsageError("--mock-cause goes with --mock-error")
    mock: dict[str, Any] = {}
    if mock_result is not None:
        mock["result"] = _json_text(mock_result, "the mocked result")
    if mock_error is not None:
        error = {"error": mock_error}
        if options["mock_cause"] is not None:
            error["cause"] = options["mock_cause"]
        mock["errorOutput"] = error
    if mock and options["field_validation"]:
        mock["fieldValidationMode"] = options["field_validation"]
    if mock:
        request["mock"] = mock
    configuration = {
        key: options[option]
        for key, option in (
            ("retrierRetryCount", "retry_count"),
            ("mapIterationFailureCount", "map_failures"),
            ("errorCausedByState", "error_caused_by"),
        )
        if options[option] is not None
    }
    if configuration:
        request["stateConfiguration"] = configuration
    return request


def _readable(response: dict[str, Any]) -> dict[str, Any]:
    """The response with its JSON text (output, inspection data) read."""
    data = {key: value for key, value in response.items() if key != "ResponseMetadata"}

    def parsed(value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value

    if "output" in data:
        data["output"] = parsed(data["output"])
    if "inspectionData" in data:
        data["inspectionData"] = {
            key: parsed(value) for key, value in data["inspectionData"].items()
        }
    return data


def _show(data: dict[str, Any]) -> None:
    status = data["status"]
    click.echo(f"{status} -> {data['nextState']}" if data.get("nextState") else status)
    if "output" in data:
        click.echo(f"output: {json.dumps(data['output'])}")
    for key in ("error", "cause"):
        if data.get(key) is not None:
            click.echo(f"{key}: {data[key]}")
    for key, value in data.get("inspectionData", {}).items():
        click.echo(f"  {key}: {json.dumps(value, default=common.json_default)}")


@click.command("test-state")
@click.option(
    "--definition",
    required=True,
    help="The state (or a whole machine, with --state-name): JSON, or a file of it ('-': stdin).",
)
@click.option("--state-name", help="The state of a whole machine's definition to run.")
@click.option("--input", "input_", help="The state's input: JSON or a file of it.")
@click.option("--variables", help="Workflow variables the state reads: a JSON object or a file.")
@click.option("--context", help="The context object ($$) the state sees: JSON or a file.")
@click.option(
    "--inspection-level",
    "level",
    type=click.Choice(LEVELS, case_sensitive=False),
    default="INFO",
    show_default=True,
    callback=lambda _ctx, _param, value: value.upper(),
    help="DEBUG and TRACE show each data-flow step.",
)
@click.option("--mock-result", help="Mock the Task/Map/Parallel result: JSON or a file of it.")
@click.option("--mock-error", help="Mock a failure with this error name.")
@click.option("--mock-cause", help="The cause of --mock-error's failure.")
@click.option(
    "--field-validation",
    type=click.Choice(VALIDATION_MODES, case_sensitive=False),
    callback=lambda _ctx, _param, value: value.upper() if value else None,
    help="How a mocked result is checked against the API's model (AWS default: STRICT).",
)
@click.option("--retry-count", type=click.IntRange(min=0), help="Retries already made.")
@click.option(
    "--map-failures", type=click.IntRange(min=0), help="Map iterations that failed (mocked)."
)
@click.option("--error-caused-by", help="The Map iteration state that raised the mocked error.")
@click.option("--role-arn", help="The role the state runs with.")
@click.option("--reveal-secrets", is_flag=True, help="Show secrets in TRACE's HTTP data.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole response as JSON.")
@click.pass_context
def test_state(ctx: click.Context, as_json: bool, **options: Any) -> None:
    """Run one state with the TestState API: its status, output or error, next state and, at
    DEBUG or TRACE, its data-flow steps. Exit status 1 when the state FAILED."""
    request = _request(options)
    response = common.session(ctx).sfn.test_state(**request)
    data = _readable(response)
    if as_json:
        common.echo_json(data)
    else:
        _show(data)
    if data["status"] == "FAILED":
        ctx.exit(1)


test_state.__test__ = False  # type: ignore[attr-defined]  # a command, not a pytest test
