"""Keep the API key out of every output: messages, logs, plan files, the ledger, errors.

The key is registered once when it is read; ``redact`` replaces it wherever text leaves the
process (error reports, log records). Code never formats the key on purpose; this is the
second line of defence for text that quotes a request or a server's answer.
"""

from __future__ import annotations

import logging
import threading

_lock = threading.Lock()
_secrets: set[str] = set()
MASK = "***"


def register(secret: str) -> None:
    # Very short values would mask ordinary words; real keys are long.
    if len(secret) >= 6:
        with _lock:
            _secrets.add(secret)


def redact(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Installed on the CLI's log handler: a record's final text is redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
