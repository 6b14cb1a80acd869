"""CLI: a one-activity workflow driven by sfini's command line (sfini 0.1.0 example)."""

from __future__ import annotations

import sfini_cdk as sfini

# Define activities
activities = sfini.ActivityRegistration(prefix="sfiniActs")


@activities.activity("printActivity")
def print_activity(data):
    print(data)


# Define state-machine
print_ = sfini.Task("print", print_activity)
sm = sfini.construct_state_machine("sfiniSM", print_)


def main() -> None:
    """Parse the command line and run the chosen command."""
    # Parse arguments
    sfini.CLI(sm, activities, role_arn="...", version="1.0").parse_args()


if __name__ == "__main__":
    main()
