"""The web view's costs: laying out graphs of N states, and answering for a long execution.

    .venv/bin/python -m benchmarks.ui [--states 50,100,200,400] [--long 3000] [--rounds 3]

Layout: a chain of N states (every fifth a Choice skipping ahead) through grandalf, as the
page and ``sfini graph --format svg`` get it (median of ``--rounds``). Long execution: an
execution through ``--long`` states on the local engine, the JSON of its page
(``/api/execution``: history, each state's status) the first time (history read from the
engine) and again (history kept).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.parse
import urllib.request
from typing import Any

ROLE_ARN = "arn:aws:iam::123456789012:role/benchmark"


def chain(states: int) -> dict[str, Any]:
    """``states`` Pass states in a row, every fifth a Choice that may skip two."""
    found: dict[str, Any] = {}
    for index in range(states):
        name, following = f"s{index}", f"s{index + 1}"
        if index == states - 1:
            found[name] = {"Type": "Succeed"}
        elif index % 5 == 4 and index + 3 < states:
            found[name] = {
                "Type": "Choice",
                "Choices": [{"Variable": "$.skip", "IsPresent": True, "Next": f"s{index + 3}"}],
                "Default": following,
            }
        else:
            found[name] = {"Type": "Pass", "Next": following}
    return {"StartAt": "s0", "States": found}


def time_layouts(sizes: list[int], rounds: int) -> None:
    from sfini_runtime.ui.layout import layout_definition

    for size in sizes:
        definition = chain(size)
        seconds = []
        for _ in range(rounds):
            start = time.perf_counter()
            layout_definition(definition, max_nodes=None)
            seconds.append(time.perf_counter() - start)
        print(f"layout of {size:>5} states: {statistics.median(seconds):.3f} s")


def time_long_execution(states: int) -> None:
    from sfini_runtime.local import LocalEngine
    from sfini_runtime.session import AWSSession
    from sfini_runtime.ui import start_ui

    with LocalEngine(time_scale=0) as engine:
        sfn = engine.client()
        machine = sfn.create_state_machine(
            name="long", definition=json.dumps(chain(states)), roleArn=ROLE_ARN
        )["stateMachineArn"]
        arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
            time.sleep(0.02)
        with start_ui(session=AWSSession(endpoint_url=engine.endpoint_url)) as view:
            url = f"{view.url}api/execution?arn={urllib.parse.quote(arn)}"
            for label in ("first", "again"):
                start = time.perf_counter()
                with urllib.request.urlopen(url, timeout=120) as response:
                    body = json.loads(response.read())
                elapsed = time.perf_counter() - start
                print(
                    f"execution page of {states} states ({len(body['events'])} events), "
                    f"{label}: {elapsed:.3f} s"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--states", default="50,100,200,400")
    parser.add_argument("--long", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    time_layouts([int(size) for size in options.states.split(",")], options.rounds)
    time_long_execution(options.long)


if __name__ == "__main__":
    main()
