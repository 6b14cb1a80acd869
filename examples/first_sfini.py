"""My first sfini: one activity adding two numbers (sfini 0.1.0's step-by-step example)."""

from __future__ import annotations

import sfini_cdk as sfini

activities = sfini.ActivityRegistration(prefix="test")


@activities.activity(name="addActivity")
def add_activity(data):
    return data["a"] + data["b"]


add = sfini.Task("add", add_activity)
sm = sfini.construct_state_machine("testAdding", add)


def example_input() -> dict:
    """The input of the example's run (here and in the main job, ``python -m examples``)."""
    return {"a": 3, "b": 42}


def main() -> None:
    """Register, run one execution with a worker, print its output, clean up."""
    activities.register()
    sm.register()

    execution = sm.start_execution(execution_input=example_input())
    print(execution.name)

    worker = sfini.Worker(add_activity)
    worker.start()

    execution.wait()
    print(execution.output)

    worker.end()
    worker.join()

    activities.deregister()
    sm.deregister()


if __name__ == "__main__":
    main()
