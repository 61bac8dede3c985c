"""Redaction of registered secrets and of passwords in ledger URLs."""

from __future__ import annotations

from reconciler.secrets import redact, register_url


def test_a_secret_containing_another_is_masked_whole() -> None:
    register_url("postgresql://u:swordfish-long%zz@db/x")
    register_url("postgresql://u:swordfish-long@db/x")
    assert redact('invalid token: "swordfish-long%zz"') == 'invalid token: "***"'


def test_a_libpq_password_is_registered_quoted_or_not() -> None:
    register_url("host=db password='open sesame 42' dbname=x")
    assert redact("server said: open sesame 42") == "server said: ***"


def test_the_password_of_a_url_that_does_not_parse_is_registered() -> None:
    register_url("postgres://root:Unparsable7Secret@[::1:5432/test")
    assert redact('in URI: "postgres://root:Unparsable7Secret@[::1"') == (
        'in URI: "postgres://root:***@[::1"'
    )
