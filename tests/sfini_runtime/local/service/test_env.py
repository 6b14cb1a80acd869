"""Tools configured only through the environment (as the AWS CLI would be) reach the engine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.sfini_runtime.local.service.helpers import create_machine

SCRIPT = """
import json, sys, boto3
sfn = boto3.client("stepfunctions")
machines = sfn.list_state_machines()["stateMachines"]
answer = sfn.start_execution(stateMachineArn=sys.argv[1], input='{"from": "env"}')
print(json.dumps({"names": [m["name"] for m in machines], "arn": answer["executionArn"]}))
"""


def test_env_points_boto3_at_the_engine(local: Any, sfn: Any) -> None:
    machine = create_machine(sfn)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(local.env())
    assert env["AWS_ENDPOINT_URL_SFN"] == local.endpoint_url
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, machine],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(done.stdout)
    assert machine.rsplit(":", 1)[1] in answer["names"]
    described = sfn.describe_execution(executionArn=answer["arn"])
    assert json.loads(described["input"]) == {"from": "env"}
