"""Running the emulator: ``run_emulator`` (blocking, for the ``emulator`` command) and
``EmbeddedEmulator`` (a background thread, for ``--endpoint local`` and the tests).

Both bind the listening socket themselves before uvicorn starts, so that port 0 gives a free
port known at once, and run uvicorn with the emulator's h11 protocol (see ``protocol.py``),
without uvicorn's own ``date`` and ``server`` headers (the emulator's ``Date`` is virtual),
without lifespan, websockets or logging configuration.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from reconciler.emulator.admin_client import AdminClient
from reconciler.emulator.app import EmulatorApp
from reconciler.emulator.clock import VirtualClock
from reconciler.emulator.faults import FaultConfig, FaultInjector
from reconciler.emulator.limits import Limits, RateLimiter
from reconciler.emulator.protocol import EmulatorProtocol
from reconciler.emulator.runtime import CLOCK_OFFSET, Emulator
from reconciler.emulator.store import Store
from reconciler.emulator.workspace import SeedError, load_workspace

log = logging.getLogger(__name__)

DEFAULT_PORT = 4010
LOCAL_DATA_DIR = Path(".braze-reconciler") / "emulator"
_START_TIMEOUT = 10.0


@dataclasses.dataclass(frozen=True)
class EmulatorConfig:
    """Every option of the emulator (the ``emulator`` command's flags)."""

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    data_dir: Path | None = None
    """Persist schedules, send ids and the clock offset here; None keeps them in memory."""
    seed: Path | None = None
    """A seed file (YAML or JSON); None loads the packaged demo workspace."""
    api_keys: tuple[str, ...] = ()
    """Extra keys holding every permission."""
    clock: datetime | None = None
    """Where the virtual clock starts; None: real time, or the saved clock if resume_clock."""
    resume_clock: bool = False
    """Without ``clock``: continue the clock saved in data_dir (the command does this)."""
    hourly_limit: int = 250_000
    limit_window: int = 3600
    """Length of the shared bucket's window, in seconds (shorter for tests and benchmarks)."""
    latency_ms: float = 0.0
    faults: FaultConfig | Path | None = None


def load_faults(source: FaultConfig | Path | None) -> FaultConfig:
    if source is None:
        return FaultConfig()
    if isinstance(source, FaultConfig):
        return source
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read the faults file {source}: {exc.strerror}") from None
    try:
        data: Any = json.loads(text) if source.suffix == ".json" else _yaml(text)
        return FaultConfig.model_validate(data)
    except ValueError as exc:
        raise SeedError(f"invalid faults file {source}: {exc}") from None


def _yaml(text: str) -> Any:
    from reconciler.manifest.yamlload import YamlProblem, compose_documents

    try:
        documents = list(compose_documents(text))
    except YamlProblem as problem:
        raise ValueError(f"{problem.message} at line {problem.position[0]}") from None
    return documents[0].value if documents else {}


def build_emulator(config: EmulatorConfig) -> Emulator:
    """The emulator's state, ready to serve; SeedError (exit 3) for a bad seed or faults file."""
    workspace = load_workspace(config.seed) if config.seed else load_workspace()
    workspace = workspace.with_keys(config.api_keys)
    faults = FaultInjector(load_faults(config.faults))
    if config.hourly_limit < 1 or config.limit_window < 1:
        raise SeedError("--hourly-limit and --limit-window must be at least 1")
    store = Store(config.data_dir)
    clock = VirtualClock()
    saved = store.get_meta(CLOCK_OFFSET)
    if config.clock is not None:
        clock.set(config.clock)
    elif config.resume_clock and saved is not None:
        clock.advance(float(saved))
    emulator = Emulator(
        workspace=workspace,
        store=store,
        clock=clock,
        limiter=RateLimiter(Limits(hourly=config.hourly_limit, hourly_window=config.limit_window)),
        faults=faults,
        latency=config.latency_ms / 1000,
    )
    emulator.save_clock()
    return emulator


def _uvicorn_config(app: EmulatorApp) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        http=EmulatorProtocol,
        loop="asyncio",
        ws="none",
        lifespan="off",
        interface="asgi3",
        log_config=None,
        access_log=False,
        server_header=False,
        date_header=False,
        proxy_headers=False,
        # Longer than the reconciler client's keep-alive expiry (2 s), so the client, not
        # the server, closes idle connections: no race on a reused connection.
        timeout_keep_alive=5,
        timeout_graceful_shutdown=1,
    )


class _Server(uvicorn.Server):
    """uvicorn's server, telling the emulator when it shuts down, so that answers delayed by
    a ``timeout`` fault give up at once instead of holding the shutdown."""

    def __init__(self, app: EmulatorApp) -> None:
        super().__init__(_uvicorn_config(app))
        self._emulator = app.emulator

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._emulator.stopping.set()
        await super().shutdown(sockets=sockets)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only when the listening
    # socket says TCP (without it every answer waits ~40 ms for a delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run_emulator(config: EmulatorConfig, on_ready: Callable[[str], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM. ``on_ready(base_url)`` is called once listening."""
    emulator = build_emulator(config)
    try:
        sock = _bind(config.host, config.port)
    except OSError as exc:
        emulator.close()
        raise SeedError(f"cannot listen on {config.host}:{config.port}: {exc.strerror}") from None
    server = _Server(EmulatorApp(emulator))
    try:
        if on_ready is not None:
            on_ready(_url(sock))
        # uvicorn re-raises the signal that stopped it once it has shut down gracefully.
        with contextlib.suppress(KeyboardInterrupt):
            server.run(sockets=[sock])
    finally:
        sock.close()
        emulator.close()


class EmbeddedEmulator:
    """The emulator in a background thread on 127.0.0.1 (a free port unless ``config.port``
    is set). A context manager: ``with EmbeddedEmulator(config) as emu: emu.base_url``."""

    def __init__(self, config: EmulatorConfig | None = None, *, port: int = 0) -> None:
        # config.port is the command's default (4010); embedded, a free port is the norm.
        self.config = dataclasses.replace(config or EmulatorConfig(), port=port)
        self.emulator: Emulator | None = None
        self.base_url = ""
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._admin: AdminClient | None = None
        self._failure: BaseException | None = None

    @property
    def admin(self) -> AdminClient:
        if self._admin is None:
            raise RuntimeError("the emulator is not running")
        return self._admin

    def start(self) -> EmbeddedEmulator:
        self.emulator = build_emulator(self.config)
        try:
            self._sock = _bind(self.config.host, self.config.port)
        except OSError:
            self.emulator.close()
            raise
        self.base_url = _url(self._sock)
        self._server = _Server(EmulatorApp(self.emulator))
        self._thread = threading.Thread(target=self._serve, name="braze-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the emulator did not start: {self._failure!r}")
            time.sleep(0.002)
        self._admin = AdminClient(self.base_url)
        log.info("emulator: listening on %s", self.base_url)
        return self

    def _serve(self) -> None:
        assert self._server is not None
        assert self._sock is not None
        try:
            self._server.run(sockets=[self._sock])
        except BaseException as exc:  # reported by start() or stop(), not lost in the thread
            self._failure = exc

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        if self.emulator is not None:
            self.emulator.close()
            self.emulator = None
        self._server = None

    def __enter__(self) -> EmbeddedEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def local_config(data_dir: Path, api_key: str, now: datetime | None = None) -> EmulatorConfig:
    """The configuration of ``--endpoint local``: the demo workspace, data under
    ``data_dir`` (``.braze-reconciler/emulator/``), one key with every permission, and the
    clock at ``now`` (``--now``) or real time."""
    return EmulatorConfig(data_dir=data_dir, api_keys=(api_key,), clock=now)


__all__ = [
    "LOCAL_DATA_DIR",
    "EmbeddedEmulator",
    "EmulatorConfig",
    "build_emulator",
    "local_config",
    "run_emulator",
]
