"""The Braze client a use case talks to; ``--endpoint local`` starts the embedded emulator.

Imported where used: ``plan`` and ``validate`` start faster without the HTTP stack.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

from reconciler.braze.limits import RateLimits
from reconciler.settings import LOCAL, Settings

if TYPE_CHECKING:
    from reconciler.braze.client import BrazeClient, RetryPolicy


@dataclasses.dataclass(frozen=True)
class ClientOptions:
    rate_limits: RateLimits = dataclasses.field(default_factory=RateLimits)
    request_timeout: float = 30.0
    retry: RetryPolicy | None = None
    """None: the client's default policy."""
    max_connections: int = 16
    stop: threading.Event | None = None
    """Set on Ctrl-C: the client's waits end."""


ClientFactory = Callable[
    [Settings, str, datetime, ClientOptions], AbstractContextManager["BrazeClient"]
]
"""A client for the settings' endpoint, with this API key; the emulator that ``local`` starts
has its clock at the given instant (``--now``). Tests pass their own."""


@contextmanager
def braze_client(
    settings: Settings, api_key: str, now: datetime, options: ClientOptions
) -> Iterator[BrazeClient]:
    """The service's default ``ClientFactory``."""
    from reconciler.braze.client import BrazeClient, RetryPolicy, Timeouts
    from reconciler.braze.models import unique_audience_key
    from reconciler.braze.ratelimit import Pacer

    endpoint = settings.require_endpoint()
    with _base_url(settings, endpoint, api_key, now) as base_url:
        client = BrazeClient(
            base_url,
            api_key,
            timeouts=Timeouts(connect=10.0, read=options.request_timeout),
            retry=options.retry or RetryPolicy(),
            pacer=Pacer(options.rate_limits),
            max_connections=options.max_connections,
            audience_key=unique_audience_key,
            stop=options.stop,
        )
        try:
            yield client
        finally:
            client.close()


@contextmanager
def _base_url(settings: Settings, endpoint: str, api_key: str, now: datetime) -> Iterator[str]:
    if endpoint != LOCAL:
        yield endpoint
        return
    from reconciler.emulator.server import EmbeddedEmulator, local_config

    with EmbeddedEmulator(local_config(settings.emulator_dir(), api_key, now)) as emulator:
        yield emulator.base_url
