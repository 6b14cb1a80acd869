"""Looping: increment a counter until it reaches 10 (sfini 0.1.0 example)."""

from __future__ import annotations

import sfini_cdk as sfini

# Define activities
activities = sfini.ActivityRegistration(prefix="sfiniActs")


@activities.activity("increment")
def increment_activity(data):
    return data["counter"] + data["increment"]


# Define state-machine
initialise = sfini.Pass("initialise", result=0, result_path="$.counter")

increment = sfini.Task("increment", increment_activity, result_path="$.counter")
initialise.goes_to(increment)

check_counter = sfini.Choice("checkCounter")
increment.goes_to(check_counter)

check_counter.add(sfini.NumericLessThan("$.counter", 10, increment))

end = sfini.Succeed("end", output_path="$.counter")
check_counter.set_default(end)

sm = sfini.construct_state_machine("sfiniSM", initialise)


def example_input() -> dict:
    """The input of the example's run (here and in the main job, ``python -m examples``)."""
    return {"increment": 3}


def main() -> None:
    """Register, run one execution with a worker, print its output, clean up."""
    # Register state-machine and activities
    activities.register()
    sm.register()

    # Start activity workers
    worker = sfini.Worker(increment_activity)
    worker.start()

    # Start execution
    execution = sm.start_execution(execution_input=example_input())
    print(execution.name)

    # Wait for execution and print output
    execution.wait()
    print(execution.output)

    # Stop activity workers
    worker.end()
    worker.join()

    # Deregister state-machine and activities
    activities.deregister()
    sm.deregister()


if __name__ == "__main__":
    main()
