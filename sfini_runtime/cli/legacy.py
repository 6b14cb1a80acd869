"""sfini 0.1.0's programmatic command line: ``CLI(state_machine, activities, ...).parse_args()``.

Use it in a service's ``__main__`` to give it ``register``, ``deregister``, ``start``,
``executions`` and ``worker`` sub-commands, as sfini 0.1.0 did.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from sfini_runtime.cli.errors import describe_error
from sfini_runtime.session import AWSSession

__all__ = ["CLI"]

_STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


class CLI:
    """``sfini`` command-line interface for one service.

    Args:
        state_machine: state machine to interact with
        activities: activities (an ``ActivityRegistration``) to poll for
        role_arn: AWS ARN for the state machine's IAM role
        version: version to display, default: no version option
        prog: program name displayed in help, default: ``sys.argv[0]``
        session: session to use for AWS communication
    """

    def __init__(
        self,
        state_machine: Any = None,
        activities: Any = None,
        role_arn: str | None = None,
        version: str | None = None,
        prog: str | None = None,
        *,
        session: AWSSession | None = None,
    ) -> None:
        if state_machine is None and activities is None:
            raise ValueError("CLI needs a state machine, activities, or both")
        self.state_machine = state_machine
        self.activities = activities
        self.role_arn = role_arn
        self.version = version
        self.prog = prog
        self.session = session

    def __repr__(self) -> str:
        return f"CLI(state_machine={self.state_machine!r}, activities={self.activities!r})"

    def _what(self) -> str:
        if self.state_machine is not None and self.activities is not None:
            return "state-machine and/or activities"
        return "state-machine" if self.state_machine is not None else "activities"

    def build_parser(self) -> argparse.ArgumentParser:
        """The argument parser for this service's commands."""
        subjects = [str(s.name) for s in (self.state_machine,) if s is not None]
        if self.activities is not None:
            subjects.append(f"activities {getattr(self.activities, 'prefix', '')!s}".strip())
        parser = argparse.ArgumentParser(
            description="Control " + " and ".join(subjects), prog=self.prog
        )
        if self.version:
            parser.add_argument("-V", "--version", action="version", version=self.version)
        parser.add_argument("-v", "--verbose", default=0, action="count", help="increase verbosity")
        parser.add_argument("-q", "--quiet", default=0, action="count", help="decrease verbosity")
        commands = parser.add_subparsers(metavar="COMMAND", dest="command", required=True)
        both = self.state_machine is not None and self.activities is not None
        what = self._what()

        register = commands.add_parser("register", help=f"register {what} with SFN")
        if self.state_machine is not None:
            register.add_argument(
                "-u",
                "--allow-update",
                action="store_true",
                help="allow updating of existing state-machine",
            )
        deregister = commands.add_parser("deregister", help=f"deregister {what} from SFN")
        if both:
            for sub in (register, deregister):
                group = sub.add_mutually_exclusive_group()
                group.add_argument(
                    "-s", "--state-machine-only", action="store_true", help="only the state-machine"
                )
                group.add_argument(
                    "-a", "--activities-only", action="store_true", help="only the activities"
                )
        if self.state_machine is not None:
            start = commands.add_parser("start", help="start state-machine execution")
            start.add_argument(
                "input_json", metavar="PATH", help="execution input JSON, use '-' for STDIN"
            )
            start.add_argument(
                "-w",
                "--wait",
                action="store_true",
                help="wait for execution to finish, and print output",
            )
            executions = commands.add_parser("executions", help="list executions")
            executions.add_argument(
                "-s",
                "--status",
                metavar="STATUS",
                choices=_STATUSES,
                help="only list executions with this status",
            )
        if self.activities is not None:
            worker = commands.add_parser("worker", help="run an activity worker")
            worker.add_argument(
                "activity_name",
                metavar="NAME",
                choices=sorted(self.activities.activities),
                help="name of activity to poll, choose from: %(choices)s",
            )
            worker.add_argument(
                "-c", "--concurrency", type=int, default=1, help="tasks run at once"
            )
        return parser

    def _parts(self, args: argparse.Namespace) -> tuple[bool, bool]:
        """Whether the command applies to the state machine, and to the activities."""
        machine_only = getattr(args, "state_machine_only", False)
        activities_only = getattr(args, "activities_only", False)
        return (
            self.state_machine is not None and not activities_only,
            self.activities is not None and not machine_only,
        )

    def _register(self, args: argparse.Namespace) -> None:
        from sfini_runtime import registration

        machine, activities = self._parts(args)
        if activities:
            registration.register_activities(self.activities, session=self.session)
        if machine:
            registration.register_state_machine(
                self.state_machine,
                role_arn=self.role_arn,
                allow_update=getattr(args, "allow_update", False),
                session=self.session,
            )

    def _deregister(self, args: argparse.Namespace) -> None:
        from sfini_runtime import registration

        machine, activities = self._parts(args)
        if machine:
            registration.deregister_state_machine(self.state_machine, session=self.session)
        if activities:
            registration.deregister_activities(self.activities, session=self.session)

    def _start(self, args: argparse.Namespace) -> None:
        from sfini_runtime import registration

        text = sys.stdin.read() if args.input_json == "-" else Path(args.input_json).read_text()
        execution = registration.start_execution(
            self.state_machine, json.loads(text), session=self.session
        )
        print(execution.name)
        if args.wait:
            execution.wait()
            print(json.dumps(execution.output))

    def _worker(self, args: argparse.Namespace) -> None:
        from sfini_runtime.worker import Worker

        activity = self.activities.activities[args.activity_name]
        Worker(activity, session=self.session, concurrency=args.concurrency).run()

    def _executions(self, args: argparse.Namespace) -> None:
        from sfini_runtime import registration

        for execution in registration.list_executions(
            self.state_machine, args.status, session=self.session
        ):
            print(f"\nExecution '{execution}':")
            print(execution.format_history())

    def run(self, args: argparse.Namespace) -> None:
        """Run the parsed command."""
        level = max(logging.WARNING - 10 * (args.verbose - args.quiet), logging.DEBUG)
        logging.basicConfig(
            format="%(asctime)s [%(levelname)8s] %(name)s: %(message)s", level=level
        )
        command = {
            "register": self._register,
            "deregister": self._deregister,
            "start": self._start,
            "worker": self._worker,
            "executions": self._executions,
        }[args.command]
        command(args)

    def parse_args(self, argv: list[str] | None = None) -> None:
        """Parse command-line arguments and run the command; errors print one line, exit 1."""
        args = self.build_parser().parse_args(argv)
        try:
            self.run(args)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as error:
            if args.verbose >= 2:
                raise
            print(f"Error: {describe_error(error)}", file=sys.stderr)
            sys.exit(1)
