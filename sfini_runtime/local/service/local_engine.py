"""Running the engine: ``LocalEngine`` in-process for tests and tools, ``serve`` for a shell."""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from sfini_runtime.local.integrations import Integrations
from sfini_runtime.local.integrations.lambdas import LambdaFunctions
from sfini_runtime.local.integrations.lambdas.base import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS
from sfini_runtime.local.integrations.mocks import MockConfiguration
from sfini_runtime.local.integrations.nested import NestedExecutions
from sfini_runtime.local.integrations.services import ServiceForwarder
from sfini_runtime.local.interpreter import Engine
from sfini_runtime.local.interpreter.engine import DEFAULT_RETAINED_EXECUTIONS
from sfini_runtime.local.service.connections import ConnectionLimits
from sfini_runtime.local.service.server import StepFunctionsHTTPServer
from sfini_runtime.local.service.service import StepFunctionsService
from sfini_runtime.local.service.store import Store

logger = logging.getLogger(__name__)

DUMMY_ACCESS_KEY = "testing"
DUMMY_SECRET_KEY = "testing"
#: the variable AWS Step Functions Local (and other emulators) read a mock configuration from
MOCK_CONFIG_VARIABLE = "SFN_MOCK_CONFIG"
#: boto3's own variable for a Lambda endpoint
LAMBDA_ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL_LAMBDA"

#: a Lambda handler: ``handler(event, context)`` returning a JSON value
LambdaHandler = Callable[[Any, Any], Any]


class LocalEngine:
    """A local Step Functions engine served over HTTP from a background thread.

    Use it as a context manager (``with LocalEngine() as engine:``) or call ``start()`` and
    ``stop()``. It binds ``host`` (loopback by default) on ``port`` (0: a free port).
    ``time_scale`` multiplies every Wait, retry interval and time-out. At 0, Waits and retry
    intervals take no time and time-outs (TimeoutSeconds, HeartbeatSeconds) are not armed, so an
    activity task waits for its worker; use a small positive scale (0.01) to test time-outs.
    ``activity_poll_seconds`` is how long GetActivityTask waits for a task (60 s as on AWS).
    Only the newest ``retained_executions`` finished executions are kept (10,000 by default;
    AWS keeps them 90 days): older ones disappear from DescribeExecution, ListExecutions and
    GetExecutionHistory, and their names may be used again. ``connection_limits`` sets the HTTP
    server's idle and read time-outs and its connection cap (``ConnectionLimits``).

    Tasks other than activities: ``lambdas`` maps function names or ARNs to in-process
    handlers (more with :meth:`register_lambda`); ``lambda_endpoint`` (default
    ``$AWS_ENDPOINT_URL_LAMBDA``) invokes the functions not served here through the Lambda
    API there; ``mock_config`` (a file, JSON text or a mapping in AWS Step Functions Local's
    format; default ``$SFN_MOCK_CONFIG``) answers the states its test cases name, for
    executions started on ``stateMachineArn#TestCase``; ``cdk_out`` creates a cloud
    assembly's activities, state machines and Python Lambda functions at start (of
    ``stacks`` only, when given); nested ``states:startExecution`` runs on this engine; other
    service integrations go through boto3 to the endpoints the standard
    ``AWS_ENDPOINT_URL_<SERVICE>`` / ``AWS_ENDPOINT_URL`` variables name.

    ``state_dir`` makes the engine durable: activities, state machines, tags, executions and
    their histories live in SQLite there (``sfini_runtime.local.persistence``), and a new
    engine on the directory takes them all back, running executions going on where their
    history stops and task tokens handed out before still working. The directory is locked
    from construction until :meth:`stop`; a directory that cannot be used (not writable, in
    use by another engine, a newer schema, a corrupt database) raises ``StateDirError``.
    """

    def __init__(
        self,
        time_scale: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        *,
        activity_poll_seconds: float = 60.0,
        retained_executions: int = DEFAULT_RETAINED_EXECUTIONS,
        connection_limits: ConnectionLimits | None = None,
        lambdas: Mapping[str, LambdaHandler] | None = None,
        lambda_endpoint: str | None = None,
        mock_config: str | os.PathLike[str] | Mapping[str, Any] | None = None,
        cdk_out: str | os.PathLike[str] | None = None,
        stacks: Collection[str] | None = None,
        state_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.region = region
        self.account_id = account_id
        self._host = host
        self._port = port
        self._limits = connection_limits
        self._cdk_out = cdk_out
        self._stacks = stacks
        if mock_config is None and os.environ.get(MOCK_CONFIG_VARIABLE):
            mock_config = os.environ[MOCK_CONFIG_VARIABLE]
        #: the mock configuration (None without one); a malformed one raises here
        self.mocks = MockConfiguration.load(mock_config) if mock_config is not None else None
        if lambda_endpoint is None:
            lambda_endpoint = os.environ.get(LAMBDA_ENDPOINT_VARIABLE) or None
        #: the Lambda functions this engine runs (in-process, cloud assembly, endpoint)
        self.lambdas = LambdaFunctions(
            region=region, account_id=account_id, endpoint_url=lambda_endpoint
        )
        for name, handler in (lambdas or {}).items():
            self.lambdas.register(name, handler)
        store = Store()
        self.integrations = Integrations(
            mocks=self.mocks,
            lambdas=self.lambdas,
            services=ServiceForwarder(region=region, account_id=account_id),
        )
        #: the open state directory of a durable engine (None: in memory)
        self.state_dir: Any = None
        self._restored: Any = None
        journal: Any = None
        token_key = None
        service_class: type[StepFunctionsService] = StepFunctionsService
        if state_dir is not None:
            from sfini_runtime.local import persistence

            self.state_dir = persistence.StateDir.open(state_dir)
            journal = persistence.SQLiteJournal(self.state_dir.connection, store)
            token_key = persistence.load_token_key(self.state_dir.connection)
            service_class = persistence.DurableService
        self.engine = Engine(
            time_scale=time_scale,
            activity_exists=store.activity_exists,
            retained_executions=retained_executions,
            on_forget=store.forget_execution,
            integrations=self.integrations,
            region=region,
            journal=journal,
            token_key=token_key,
        )
        self.service = service_class(
            self.engine,
            region=region,
            account_id=account_id,
            activity_poll_seconds=activity_poll_seconds,
            store=store,
        )
        self.integrations.nested = NestedExecutions(self.service)
        self.service.integrations = self.integrations
        if journal is not None:
            self._restore(journal)
        self._server: StepFunctionsHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._session: Any = None
        self._session_lock = threading.Lock()

    def _restore(self, journal: Any) -> None:
        from sfini_runtime.local import persistence

        state = self.state_dir
        self.service.journal = journal  # type: ignore[attr-defined]
        try:
            self._restored = persistence.restore(state.connection, self.service, journal)
        except Exception as exc:  # sqlite3.DatabaseError, a record this engine cannot read
            state.close()
            raise persistence.StateDirError(
                f"state database in {state.path} cannot be read: {exc}"
            ) from None
        store = self.service.store
        store.journal = journal
        store.test_case_of = self.engine.test_case_of
        journal.start()

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> LocalEngine:
        """Start the engine and its HTTP server (idempotent); returns ``self``."""
        if self._server is not None:
            return self
        try:
            server = StepFunctionsHTTPServer(self.service, self._host, self._port, self._limits)
        except OSError as exc:  # port in use, address not local, ...
            error = OSError(f"cannot listen on {self._host}:{self._port}: {exc.strerror or exc}")
            error.errno = exc.errno  # kept for callers; str() stays one readable line
            raise error from None
        self.engine.start()
        self._server = server
        if self._restored is not None:
            restored, self._restored = self._restored, None
            restored.resume(self.service)
            logger.info(
                "state directory %s: %d activities, %d state machines, %d finished and %d "
                "running executions",
                self.state_dir.path,
                restored.activities,
                restored.state_machines,
                restored.finished,
                len(restored.running),
            )
        if self._cdk_out is not None:
            try:
                self.load_cloud_assembly(self._cdk_out, self._stacks)
            except BaseException:
                self._server = None
                self.engine.close()
                self.lambdas.close()
                server.server_close()
                raise
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            name=f"sfini-local-engine:{self._server.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the engine and the server (idempotent): waiting GetActivityTask polls are
        answered with no task, in-flight requests are answered (up to 5 s), idle connections
        are closed."""
        server, self._server = self._server, None
        if server is None:
            self._close_state_dir()
            return
        self.engine.close()
        self.lambdas.close()
        server.shutdown()
        if not server.drain(wait_seconds=5):
            logger.warning("requests still in flight after 5 s; closing anyway")
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close_state_dir()

    def _close_state_dir(self) -> None:
        """Write what is left and release the state directory (a durable engine)."""
        state, self.state_dir = self.state_dir, None
        if state is None:
            return
        try:
            self.service.journal.close()  # type: ignore[attr-defined]
        finally:
            state.close()

    def __enter__(self) -> LocalEngine:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- what Tasks call ----------------------------------------------------------------------
    def register_lambda(
        self,
        name_or_arn: str,
        handler: LambdaHandler,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        memory_mb: int = DEFAULT_MEMORY_MB,
        environment: dict[str, str] | None = None,
        reserved_concurrency: int | None = None,
    ) -> None:
        """Serve the Lambda function ``name_or_arn`` with ``handler(event, context)`` (also
        while running), with Lambda's time-out (seconds) and memory; ``reserved_concurrency``
        caps invocations at once (more are throttled: ``Lambda.TooManyRequestsException``)."""
        self.lambdas.register(
            name_or_arn,
            handler,
            timeout=timeout,
            memory_mb=memory_mb,
            environment=environment,
            reserved_concurrency=reserved_concurrency,
        )

    def load_cloud_assembly(
        self, directory: str | os.PathLike[str], stacks: Collection[str] | None = None
    ) -> list[str]:
        """Create a cloud assembly's activities and state machines, and serve its Python Lambda
        functions (in worker processes whose AWS SDK reaches this engine), as ``cdk deploy``
        would create them; returns the ARNs created."""
        from sfini_runtime.local.service.cdk_out import load_cloud_assembly

        environment = self.env() if self._server is not None else {}
        return load_cloud_assembly(self.service, Path(directory), stacks or None, environment)

    # -- pointing clients at it ---------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the engine is not running; call start() first")
        return self._server.port

    @property
    def endpoint_url(self) -> str:
        """``http://HOST:PORT`` (a wildcard bind is reached through loopback)."""
        host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(self._host, self._host)
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def client(self, **kwargs: Any) -> Any:
        """A boto3 ``stepfunctions`` client for this engine (extra kwargs go to boto3).

        Dummy credentials, this engine's region, a 70 s read timeout (GetActivityTask waits up
        to 60 s), standard retries, and no ``sync-`` host prefix for StartSyncExecution.
        """
        import boto3
        from botocore.config import Config

        config = Config(
            read_timeout=70,
            retries={"mode": "standard"},
            inject_host_prefix=False,
            max_pool_connections=64,
        )
        if kwargs.get("config") is not None:
            config = config.merge(kwargs.pop("config"))
        kwargs["config"] = config
        kwargs.setdefault("endpoint_url", self.endpoint_url)
        with self._session_lock:
            if self._session is None:
                self._session = boto3.session.Session(
                    aws_access_key_id=DUMMY_ACCESS_KEY,
                    aws_secret_access_key=DUMMY_SECRET_KEY,
                    region_name=self.region,
                )
            return self._session.client("stepfunctions", **kwargs)

    def env(self) -> dict[str, str]:
        """Environment variables that point AWS SDKs and the AWS CLI at this engine."""
        return {
            "AWS_ENDPOINT_URL_SFN": self.endpoint_url,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            "AWS_ACCESS_KEY_ID": DUMMY_ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_SECRET_KEY,
        }


def serve(
    host: str = "127.0.0.1",
    port: int = 8083,
    time_scale: float = 1.0,
    cdk_out: str | None = None,
    stacks: Collection[str] | None = None,
    activity_poll_seconds: float = 60.0,
    lambdas: Mapping[str, LambdaHandler] | None = None,
    lambda_endpoint: str | None = None,
    mock_config: str | os.PathLike[str] | None = None,
    state_dir: str | os.PathLike[str] | None = None,
    on_start: Callable[[LocalEngine], Callable[[], None] | None] | None = None,
) -> None:
    """Serve the engine on ``host:port`` until SIGINT or SIGTERM, then shut down cleanly.

    With ``cdk_out``, first create the activities and state machines of that cloud assembly
    (of its ``stacks`` only, when given). ``activity_poll_seconds``: how long GetActivityTask
    waits for a task (60 s as on AWS; shorter lets a worker process that ends mid-poll exit
    sooner, since it waits for its poll rather than lose a task handed to it). ``state_dir``:
    keep the engine's state there (see :class:`LocalEngine`). ``on_start(engine)`` runs once the
    engine serves (to start something beside it, such as the web view); what it returns, if
    anything, is called before the engine stops.
    The signal handler only records the signal (a handler runs between two bytecodes of the
    main thread, so taking a lock or doing I/O there can deadlock); the main loop notices it
    and stops the engine, answering waiting GetActivityTask polls with no task.
    """
    received: list[int] = []
    stop_beside: Callable[[], None] | None = None
    engine = LocalEngine(
        time_scale=time_scale,
        host=host,
        port=port,
        activity_poll_seconds=activity_poll_seconds,
        lambdas=lambdas,
        lambda_endpoint=lambda_endpoint,
        mock_config=mock_config,
        state_dir=state_dir,
    )
    try:
        engine.start()
    except BaseException:
        engine.stop()  # releases the state directory
        raise
    previous: dict[int, Any] = {}

    def request_stop(signum: int, frame: FrameType | None) -> None:
        received.append(signum)  # atomic, lock-free: nothing else happens in a handler

    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, request_stop)
    try:
        if cdk_out is not None:
            for arn in engine.load_cloud_assembly(cdk_out, stacks or None):
                logger.info("created %s", arn)
        logger.info("local Step Functions engine listening on %s", engine.endpoint_url)
        print(f"sfini local engine: {engine.endpoint_url} (Ctrl-C to stop)", flush=True)
        for line in engine.lambdas.describe():
            print(f"  {line}", flush=True)
        if engine.state_dir is not None:
            print(f"  state directory: {engine.state_dir.path}", flush=True)
        if on_start is not None:
            stop_beside = on_start(engine)
        while not received:
            time.sleep(0.1)  # noticed within 0.1 s of the signal
        logger.info("signal %d received; stopping", received[0])
    except KeyboardInterrupt:
        pass
    finally:
        if stop_beside is not None:
            stop_beside()
        engine.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
