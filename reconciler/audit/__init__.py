"""The audit: the calendar of everything due within a horizon, and whether it matches git.

- ``calendar``: managed API schedules and desired resources (pure);
- ``dashboard``: the live dashboard listing against ``DashboardSchedule`` expectations (pure);
- ``report``: ``AuditReport`` and ``AuditEntry`` (data, with ``to_dict``/``from_dict``);
- ``expectations``: draft ``DashboardSchedule`` manifests for unexpected broadcasts.

The use case (manifests, the ledger and Braze's listing in) is ``Service.audit``.
"""
