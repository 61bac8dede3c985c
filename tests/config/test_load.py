"""The configuration file: found, read, checked; every problem at file:line with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import find_config, load_config
from reconciler.config.positions import key_lines
from reconciler.errors import UsageError

CAMPAIGN = "924cd632-0dc9-4a59-a3f1-b892936fd233"


def write(tmp_path: Path, text: str, name: str = "braze-reconciler.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problem(tmp_path: Path, text: str, name: str = "braze-reconciler.toml") -> UsageError:
    with pytest.raises(UsageError) as caught:
        load_config(write(tmp_path, text, name))
    assert caught.value.exit_code == 3
    return caught.value


def test_a_full_file_loads(tmp_path: Path) -> None:
    loaded = load_config(
        write(
            tmp_path,
            f"""paths = ["manifests"]
freeze_window = "30m"
[environments.staging]
endpoint = "https://rest.iad-03.braze.com"
state = "postgresql://ci@db/braze"
workspace = "staging"
api_key_env = "BRAZE_STAGING_KEY"
[environments.staging.vars]
gift_guide_campaign = "{CAMPAIGN}"
count = 3
""",
        )
    )
    staging = loaded.model.environments["staging"]
    assert staging.api_key_env == "BRAZE_STAGING_KEY"
    assert loaded.variables("staging") == {"gift_guide_campaign": CAMPAIGN, "count": 3}
    assert loaded.where("environments", "staging", "workspace") == "braze-reconciler.toml:6"
    assert loaded.where("freeze_window") == "braze-reconciler.toml:2"


def test_an_unknown_key_is_an_error_at_its_line_with_a_did_you_mean(tmp_path: Path) -> None:
    error = problem(tmp_path, 'paths = ["m"]\n\n[environments.staging]\nendpont = "local"\n')
    assert error.message == (
        "braze-reconciler.toml:4: environments.staging.endpont: unknown setting 'endpont'"
    )
    assert error.hint == "did you mean 'endpoint'?"


def test_a_bad_value_is_an_error_at_its_line(tmp_path: Path) -> None:
    error = problem(tmp_path, 'freeze_window = "soon"\n')
    assert error.message.startswith("braze-reconciler.toml:1: freeze_window: ")
    assert "'soon' is not a duration" in error.message
    error = problem(tmp_path, "[environments.x]\nendpoint = 'US-99'\n")
    assert error.message.startswith("braze-reconciler.toml:2: environments.x.endpoint:")
    error = problem(tmp_path, 'test_group = "t"\nrate_limits = {hourly = 500000, daily = 1}\n')
    assert error.message.startswith("braze-reconciler.toml:2: rate_limits: ")
    assert "daily" in error.message
    error = problem(tmp_path, "[environments._x]\n")
    assert "environment name '_x'" in error.message


def test_invalid_toml_says_where(tmp_path: Path) -> None:
    error = problem(tmp_path, 'paths = ["m"\nendpoint = "local"\n')
    assert "invalid TOML" in error.message
    assert ":2: " in error.message or ":1: " in error.message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('api_key = "abc"\n', "api_key: an API key does not belong"),
        (f'[environments.prod]\napi_key = "{CAMPAIGN}"\n', "environments.prod.api_key"),
        (f'api_key_env = "{CAMPAIGN}"\n', "api_key_env looks like a Braze API key"),
        (f'[environments.x]\nendpoint = "local"\nworkspace = "{CAMPAIGN}"\n', "looks like"),
        ('[vars]\napi_key = "x"\n', "vars.api_key: an API key"),
        (f'[vars]\nbraze_token = "{CAMPAIGN}"\n', "vars.braze_token"),
    ],
)
def test_a_key_in_the_file_is_refused(tmp_path: Path, text: str, said: str) -> None:
    error = problem(tmp_path, text)
    assert said in error.message
    assert error.hint is not None
    assert "api_key_env" in error.hint


def test_a_campaign_id_in_vars_is_not_a_key(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, f'[vars]\ncampaign = "{CAMPAIGN}"\n'))
    assert loaded.variables(None) == {"campaign": CAMPAIGN}


def test_a_ledger_password_is_refused(tmp_path: Path) -> None:
    error = problem(tmp_path, 'state = "postgresql://ci:hunter2@db/braze"\n')
    assert "carries a password" in error.message
    assert "hunter2" not in str(error)


def test_the_default_environment_must_be_local(tmp_path: Path) -> None:
    error = problem(
        tmp_path,
        'default_environment = "production"\n[environments.production]\nendpoint = "US-03"\n',
    )
    assert "only name an environment whose endpoint is 'local'" in error.message
    error = problem(tmp_path, 'default_environment = "locl"\n[environments.local]\n')
    assert error.hint is not None
    assert "did you mean 'local'?" in error.hint
    loaded = load_config(
        write(tmp_path, 'default_environment = "local"\n[environments.local]\nendpoint = "local"\n')
    )
    assert loaded.model.default_environment == "local"


def test_pyproject_table_and_the_search_upwards(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) is None
    write(tmp_path, '[project]\nname = "x"\n', "pyproject.toml")
    assert find_config(nested) is None  # no table of ours
    write(
        tmp_path,
        '[project]\nname = "x"\n\n[tool.braze-reconciler]\nendpont = "local"\n',
        "pyproject.toml",
    )
    found = find_config(nested)
    assert found == tmp_path / "pyproject.toml"
    with pytest.raises(UsageError) as caught:
        load_config(found)
    assert caught.value.message.startswith("pyproject.toml:5: endpont")
    write(tmp_path / "a", 'endpoint = "local"\n')
    assert find_config(nested) == tmp_path / "a" / "braze-reconciler.toml"


def test_positions_of_dotted_quoted_and_inline_keys() -> None:
    lines = key_lines(
        'a = 1\ntext = """\nb = 2\n"""\n[environments."prod"]\nvars.x = 3\n[[arr]]\nc = {d = 1}\n'
    )
    assert lines[("a",)] == 1
    assert ("b",) not in lines  # inside a multi-line string
    assert lines[("environments", "prod", "vars", "x")] == 6
    assert lines[("arr", "c")] == 8


def test_a_broken_pyproject_with_our_table_is_reported(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        '[project]\nname = "x"\n[tool.braze-reconciler]\npaths = [manifests\n',
        "pyproject.toml",
    )
    found = find_config(tmp_path)
    assert found == tmp_path / "pyproject.toml"
    with pytest.raises(UsageError) as caught:
        load_config(found)
    assert caught.value.message.startswith(f"{found}:4: invalid TOML")
    # A broken pyproject.toml that is not ours is not ours to judge.
    write(tmp_path, '[project]\nname = "x\n', "pyproject.toml")
    assert find_config(tmp_path) is None


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "[1.0, nan]"])
def test_non_finite_numbers_are_refused(tmp_path: Path, value: str) -> None:
    caught = problem(
        tmp_path, f"[environments.staging]\n[environments.staging.vars]\nx = {value}\n"
    )
    assert caught.message.startswith("braze-reconciler.toml:3: environments.staging.vars.x is ")
    assert "not a finite number" in caught.message


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_rate_limit_is_at_least_one(tmp_path: Path, value: str) -> None:
    caught = problem(
        tmp_path, f'freeze_window = "15m"\nrate_limits = {{broadcast_per_minute = {value}}}\n'
    )
    assert caught.message.startswith("braze-reconciler.toml:2: rate_limits: ")
    assert "at least 1" in caught.message


def test_errors_of_a_whole_section_or_name_have_a_line(tmp_path: Path) -> None:
    caught = problem(tmp_path, 'paths = ["m"]\napi_key_env = "A"\napi_key_file = "f"\n')
    assert caught.message == "braze-reconciler.toml:3: give api_key_env or api_key_file, not both"
    caught = problem(tmp_path, '[environments.ok]\n[environments."bad name"]\nendpoint = "local"\n')
    assert caught.message.startswith("braze-reconciler.toml:2: environments: environment name")


def test_a_byte_order_mark_is_named(tmp_path: Path) -> None:
    caught = problem(tmp_path, '\ufeffpaths = ["m"]\n')
    assert caught.message.endswith("braze-reconciler.toml:1: invalid TOML: Invalid statement")
    assert caught.hint is not None
    assert "byte order mark" in caught.hint
