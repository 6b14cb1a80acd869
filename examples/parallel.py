"""Parallel: log a message while printing it and waiting (sfini 0.1.0 example)."""

from __future__ import annotations

import datetime
import logging as lg

import sfini_cdk as sfini

# Define activities
activities = sfini.ActivityRegistration(prefix="sfiniActs")


@activities.activity("logActivity")
def log_message_activity(data):
    lg.log(data["level"], data["message"])


@activities.activity("printActivity")
def print_message_activity(message):
    print(message)
    diff = datetime.timedelta(seconds=len(message) * 5)
    now = datetime.datetime.now(tz=datetime.timezone.utc)
    return (now + diff).isoformat()


# Define state-machine
print_and_log = sfini.Parallel("printAndLog", result_path="$.parallel", output_path="$.parallel")

log = sfini.Task("log", log_message_activity, result_path=None)
log_sm = sfini.construct_state_machine("logSM", log)

print_ = sfini.Task("print", print_message_activity, result_path="$.until")
wait = sfini.Wait("wait", "$.until")
print_.goes_to(wait)
print_sm = sfini.construct_state_machine("printSM", print_)

print_and_log.add(log_sm)
print_and_log.add(print_sm)

sm = sfini.construct_state_machine("sfiniSM", print_and_log)


def example_input() -> dict:
    """The input of the example's run (here and in the main job, ``python -m examples``)."""
    return {"level": 20, "message": "foo"}


def main() -> None:
    """Register, run one execution with workers, print its output, clean up."""
    # Register state-machine and activities
    activities.register()
    sm.register()

    # Start activity workers
    workers = [sfini.Worker(log_message_activity), sfini.Worker(print_message_activity)]
    [w.start() for w in workers]

    # Start execution
    execution = sm.start_execution(execution_input=example_input())
    print(execution.name)

    # Wait for execution and print output
    execution.wait()
    print(execution.output)

    # Stop activity workers
    [w.end() for w in workers]
    [w.join() for w in workers]

    # Deregister state-machine and activities
    activities.deregister()
    sm.deregister()


if __name__ == "__main__":
    main()
