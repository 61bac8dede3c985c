"""Braze instance names and their REST hosts (braze-api.md 1.1): a convenience map only.

Any base URL works; the dashboard's "REST endpoint" is the authority.
"""

from __future__ import annotations

from reconciler.secrets import redact_url

REST_HOSTS: dict[str, str] = {
    "US-01": "https://rest.iad-01.braze.com",
    "US-02": "https://rest.iad-02.braze.com",
    "US-03": "https://rest.iad-03.braze.com",
    "US-04": "https://rest.iad-04.braze.com",
    "US-05": "https://rest.iad-05.braze.com",
    "US-06": "https://rest.iad-06.braze.com",
    "US-07": "https://rest.iad-07.braze.com",
    "US-08": "https://rest.iad-08.braze.com",
    "US-10": "https://rest.us-10.braze.com",
    "EU-01": "https://rest.fra-01.braze.eu",
    "EU-02": "https://rest.fra-02.braze.eu",
    "AU-01": "https://rest.au-01.braze.com",
    "ID-01": "https://rest.id-01.braze.com",
    "JP-01": "https://rest.jp-01.braze.com",
    "KR-01": "https://rest.kr-01.braze.com",
}


def resolve_base_url(endpoint: str) -> str:
    """An instance name (``US-03``, ``us-03``) or a URL, as a base URL without trailing slash.

    Raises ValueError for anything else.
    """
    value = endpoint.strip()
    host = REST_HOSTS.get(value.upper())
    if host is not None:
        return host
    if value.startswith(("http://", "https://")):
        if "@" in value.split("://", 1)[1].split("/", 1)[0]:
            # Braze authenticates with the API key alone; user info is at best a mistake and
            # at worst a password that would be shown with the endpoint and stored in the ledger.
            raise ValueError(
                f"endpoint {redact_url(value)!r} carries user info (user:password@): remove it; "
                "Braze authenticates with the API key only"
            )
        return value.rstrip("/")
    if value.startswith("rest.") and "/" not in value:
        return "https://" + value
    names = ", ".join(REST_HOSTS)
    raise ValueError(
        f"{redact_url(endpoint)!r} is neither a URL nor a Braze instance name ({names}), "
        "nor 'local'"
    )
