"""Settings: defaults < ldpub.toml < LDPUB_* environment < flags; every setting documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from ldpub.errors import ConfigError
from ldpub.settings import describe, load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_precedence_defaults_file_environment_flags(tmp_path: Path) -> None:
    config = tmp_path / "ldpub.toml"
    config.write_text('[ldpub]\nbase_uri = "https://file.example"\nstore = "st"\nkeep_releases = 5\n')
    assert load_settings(config=config, environ={}).base_uri == "https://file.example"
    assert load_settings(config=config, environ={}).store == tmp_path / "st"
    env = {"LDPUB_BASE_URI": "https://env.example", "LDPUB_KEEP_RELEASES": "7"}
    from_env = load_settings(config=config, environ=env)
    assert (from_env.base_uri, from_env.keep_releases) == ("https://env.example", 7)
    flagged = load_settings(config=config, environ=env, overrides={"base_uri": "https://flag.example"})
    assert flagged.base_uri == "https://flag.example"
    assert flagged.keep_releases == 7


def test_defaults_without_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.base_uri == "http://localhost:5000"
    assert settings.on_source_error == "fail"


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('[ldpub]\nbase_url = "x"\n', "unknown setting 'base_url'"),
        ("[ldpub]\nkeep_releases = 'many'\n", "keep_releases"),
        ('[ldpub]\non_source_error = "ignore"\n', "on_source_error"),
        ('[ldpub]\nbase_uri = "ftp://x"\n', "base_uri"),
        ("[ldpub\n", "not valid TOML"),
    ],
)
def test_bad_file_names_the_setting(tmp_path: Path, content: str, fragment: str) -> None:
    config = tmp_path / "ldpub.toml"
    config.write_text(content)
    with pytest.raises(ConfigError, match=fragment):
        load_settings(config=config, environ={})


def test_bad_environment_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="LDPUB_KEEP_RELEASES"):
        load_settings(config=None, environ={"LDPUB_KEEP_RELEASES": "x"})
    with pytest.raises(ConfigError, match="LDPUB_NOPE"):
        load_settings(config=None, environ={"LDPUB_NOPE": "1"})


def test_rights_rules_from_the_repository_file() -> None:
    settings = load_settings(config=ROOT / "ldpub.toml", environ={})
    assert settings.rights_rules[0].uri == "http://rightsstatements.org/vocab/InC-EDU/1.0/"


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, env, _help in describe():
        assert f"`{name}`" in readme, f"setting {name} is not in the README's settings table"
        assert f"`{env}`" in readme, f"variable {env} is not in the README's settings table"
