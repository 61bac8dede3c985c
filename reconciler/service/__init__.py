"""The application service: every use case, built from the settings, a clock and the factories
of the ledger and of the Braze client. No printing here; the CLI builds one ``Service`` per
command, calls it and renders what it returns. octoDNS's ``Manager`` is the model.

- ``base``: the construction, the instant the time rules use (``--now`` or the clock), and
  loading the manifests;
- ``ledger``: opening the ledger, reading it for a plan, locking it for an edit;
- ``client``: the Braze client (``local`` starts the embedded emulator);
- ``plan``: ``validate`` and ``plan``; ``apply``: ``apply``; ``audit``: ``audit``;
- ``state_ops``: ``import`` (adopt) and the ``state`` commands;
- ``doctor``: ``doctor`` (what Braze says of the endpoint, key, permissions and clock).
- ``preview``: ``preview`` (a message sent now to a test group, journaled, deduplicated).

The clock is the real time: it stamps the ledger and saved plans, and tells a virtual
``--now`` from the present. ``--now`` changes only the instant the time rules are evaluated
at (``current_time``). Only ``reconciler.timeutil`` reads the system clock.
"""

from __future__ import annotations

from reconciler.service.apply import Applying, ApplyRequest
from reconciler.service.audit import Auditing, AuditRun
from reconciler.service.client import ClientFactory, ClientOptions
from reconciler.service.doctor import Diagnosing, DoctorReport, Purpose
from reconciler.service.ledger import StoreFactory
from reconciler.service.preview import Previewing, PreviewRequest
from reconciler.service.state_ops import History, LedgerEdits, Listing

__all__ = [
    "ApplyRequest",
    "AuditRun",
    "ClientFactory",
    "ClientOptions",
    "DoctorReport",
    "History",
    "Listing",
    "PreviewRequest",
    "Purpose",
    "Service",
    "StoreFactory",
]


class Service(Applying, Auditing, LedgerEdits, Diagnosing, Previewing):
    """``validate``, ``plan``, ``apply``, ``audit``, ``adopt`` (import), ``resolve``,
    ``move``, ``remove``, ``export``, ``import_json``, ``rebind_key``, ``force_unlock``,
    ``listing``, ``history``, ``doctor`` and ``preview``: each use case is a method, grouped by
    job in the modules named above."""
