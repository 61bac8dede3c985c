"""Keep secrets out of every output: messages, logs, plan files, the ledger, errors.

The API key, and the password of a ledger URL, are registered once when they are read;
``redact`` replaces them wherever text leaves the process (error reports, log records). Code
never formats a secret on purpose; this is the second line of defence for text that quotes a
request, a server's answer or a driver's error. ``redact_url`` is the first line for URLs and
libpq connection strings, which code does show (in messages and hints).
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import unquote, urlsplit, urlunsplit

_lock = threading.Lock()
_secrets: set[str] = set()
MASK = "***"


def register(secret: str) -> None:
    # Very short values would mask ordinary words; real keys are long.
    if len(secret) >= 6:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    # Longest first: a secret that contains another is masked whole, not with its tail showing.
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


_SECRET_PARAMS = frozenset({"password", "sslpassword"})
# libpq key/value form (``host=db password='a b' dbname=x``): a value is quoted or one word.
_DSN_SECRET = re.compile(r"(?i)\b(password|sslpassword)(\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s'&]*)")


_USERINFO_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:([^/@]+)@")


def redact_url(url: str) -> str:
    """``url`` with every password replaced by ***: in a URL's user info or query string, or
    in a libpq key/value connection string (``password=...``)."""
    redacted = _DSN_SECRET.sub(r"\1\2" + MASK, url)
    if "://" not in redacted:
        return redacted
    try:
        parts = urlsplit(redacted)
    except ValueError:  # e.g. an unbalanced "[" in the host: show nothing that could be secret
        return url.split("://", 1)[0] + "://(unparsable)"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}:{MASK}@{host}"
    query = "&".join(
        f"{pair.split('=', 1)[0]}={MASK}"
        if unquote(pair.split("=", 1)[0]).lower() in _SECRET_PARAMS
        else pair
        for pair in parts.query.split("&")
    )
    if (netloc, query) == (parts.netloc, parts.query):
        return redacted  # rebuilding would turn sqlite:///a.db into sqlite:/a.db
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def register_url(url: str) -> None:
    """Register the passwords a URL or connection string carries, so that a driver's error
    that quotes one is redacted too."""
    for match in _DSN_SECRET.finditer(url):
        register(unquote(match.group(3).strip("'")))
        register(match.group(3))
    if "://" not in url:
        return
    # By pattern too: a URL that does not parse (an unbalanced "[") still carries its password
    # into the driver's error, which quotes the whole URL.
    userinfo = _USERINFO_PASSWORD.match(url)
    if userinfo:
        register(userinfo.group(1))
        register(unquote(userinfo.group(1)))
    try:
        parts = urlsplit(url)
    except ValueError:
        return
    if parts.password:
        register(parts.password)
        register(unquote(parts.password))


class RedactingFilter(logging.Filter):
    """Installed on the CLI's log handler: a record's final text is redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
