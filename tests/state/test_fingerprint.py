from __future__ import annotations

from reconciler.state.fingerprint import fingerprint, matches, new_salt


def test_fingerprint_matches_only_its_key_and_salt() -> None:
    salt = new_salt()
    fp = fingerprint("api-key-1", salt)

    assert fp.startswith("scrypt:")
    assert "api-key-1" not in fp
    assert fp == fingerprint("api-key-1", salt)
    assert matches("api-key-1", salt, fp)
    assert not matches("api-key-2", salt, fp)
    assert not matches("api-key-1", new_salt(), fp)


def test_salts_differ_and_unknown_algorithms_never_match() -> None:
    assert new_salt() != new_salt()
    assert not matches("k", "s", "md5:abc")
    assert not matches("k", "s", "scrypt:")
    assert not matches("k", "s", "")
