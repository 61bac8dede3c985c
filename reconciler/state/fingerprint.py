"""A salted, slow hash of the API key: enough to notice that the key changed, useless for
recovering it. The key itself is never stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCRYPT = "scrypt"
PBKDF2 = "pbkdf2-sha256"
# scrypt's cost (16 MiB, some tens of ms) is paid once per command; it makes guessing keys from
# a leaked ledger expensive. PBKDF2 is the fallback for Pythons built without scrypt.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_PBKDF2_ROUNDS = 600_000


def new_salt() -> str:
    return secrets.token_hex(16)


def fingerprint(api_key: str, salt: str) -> str:
    """``scrypt:<hex>`` (or ``pbkdf2-sha256:<hex>``) of ``api_key`` with ``salt``."""
    algorithm = SCRYPT if hasattr(hashlib, "scrypt") else PBKDF2
    return f"{algorithm}:{_digest(algorithm, api_key, salt)}"


def matches(api_key: str, salt: str, fp: str) -> bool:
    algorithm, _, expected = fp.partition(":")
    if algorithm not in (SCRYPT, PBKDF2) or not expected:
        return False
    return hmac.compare_digest(_digest(algorithm, api_key, salt), expected)


def _digest(algorithm: str, api_key: str, salt: str) -> str:
    key, salt_bytes = api_key.encode("utf-8"), salt.encode("utf-8")
    if algorithm == SCRYPT:
        return hashlib.scrypt(
            key, salt=salt_bytes, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
        ).hex()
    return hashlib.pbkdf2_hmac("sha256", key, salt_bytes, _PBKDF2_ROUNDS).hex()
