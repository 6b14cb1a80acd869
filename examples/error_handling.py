"""Error-handling: retry on time-out, then catch the worker's error (sfini 0.1.0 example)."""

from __future__ import annotations

import time

import sfini_cdk as sfini

# Define activities
activities = sfini.ActivityRegistration(prefix="sfiniActs")

sleep_time = 15


class MyError(Exception):
    pass


@activities.activity("raiseActivity")
def raise_activity(data):
    global sleep_time
    time.sleep(sleep_time)
    sleep_time -= 10
    raise MyError("foobar")


# Define state-machine
raise_ = sfini.Task("raise", raise_activity, timeout=10)
raise_.retry_for(["States.Timeout"], interval=3)

fail = sfini.Fail("fail", error="WorkerError", cause="MyError was raised")
raise_.catch(["MyError"], fail, result_path="$.error-info")

sm = sfini.construct_state_machine("sfiniSM", raise_)


#: How the example's run ends: the worker's error is caught, then the Fail state ends it.
EXPECTED_STATUS = "FAILED"
EXPECTED_ERROR = "WorkerError"


def example_input() -> dict:
    """The input of the example's run (here and in the main job, ``python -m examples``)."""
    return {}


def main() -> None:
    """Register, run one execution with a worker, print its history, clean up."""
    # Register state-machine and activities
    activities.register()
    sm.register()

    # Start activity workers
    worker = sfini.Worker(raise_activity)
    worker.start()

    # Start execution
    execution = sm.start_execution(execution_input=example_input())
    print(execution.name)

    # Wait for execution and print output
    execution.wait(raise_on_failure=False)
    print(execution.format_history())

    # Stop activity workers
    worker.end()
    worker.join()

    # Deregister state-machine and activities
    activities.deregister()
    sm.deregister()


if __name__ == "__main__":
    main()
