"""Settings precedence (defaults < file < environment < explicit) and their errors."""

import os
import re
from pathlib import Path

import pytest

from storywire import ConfigError, Settings, load_settings

DOCS = Path(__file__).parent.parent / "docs" / "configuration.md"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("STORYWIRE_"):
            monkeypatch.delenv(name)


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "storywire.toml"
    path.write_text(
        '[storywire]\nport = 9000\nhost = "0.0.0.0"\npoll-interval = 60\n', encoding="utf-8"
    )
    return path


def test_defaults():
    s = load_settings()
    assert (s.port, s.host, s.db, s.poll_interval) == (
        8000,
        "127.0.0.1",
        Path("storywire.db"),
        900.0,
    )


def test_env_overrides_default(monkeypatch):
    monkeypatch.setenv("STORYWIRE_PORT", "8123")
    monkeypatch.setenv("STORYWIRE_DB", "/tmp/x.db")
    s = load_settings()
    assert (s.port, s.db) == (8123, Path("/tmp/x.db"))


def test_config_file_is_read(config):
    s = load_settings(config)
    assert (s.port, s.host, s.poll_interval) == (9000, "0.0.0.0", 60.0)


def test_config_file_from_environment(config, monkeypatch):
    monkeypatch.setenv("STORYWIRE_CONFIG", str(config))
    assert load_settings().port == 9000


def test_env_beats_file_and_explicit_beats_env(config, monkeypatch):
    monkeypatch.setenv("STORYWIRE_PORT", "8123")
    s = load_settings(config)
    assert (s.port, s.host) == (8123, "0.0.0.0")  # the file still supplies the rest
    assert load_settings(config, port=7000).port == 7000
    assert load_settings(config, port=None).port == 8123  # None means "not given"


def test_lowercase_env_name_beats_file_as_it_beats_default(config, monkeypatch):
    monkeypatch.setenv("storywire_port", "8123")
    assert load_settings().port == 8123
    assert load_settings(config).port == 8123


@pytest.mark.parametrize(
    "text, message",
    [
        ("[storywire\nport = 1\n", "is not valid TOML"),
        ('[storywire]\nport = "eighty"\n', "port"),
        ("[storywire]\nport = 99999\n", "port: Input should be less than or equal to 65535"),
        ("[storywire]\npoll_interval = 0\n", "poll_interval"),
        ("[storywire]\ncolour = 'red'\n", "colour"),
    ],
)
def test_bad_config_file(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as info:
        load_settings(path)
    assert "TOML" not in message or str(path) in str(info.value)


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match=r"config file .*nope\.toml does not exist"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize("how", ["env", "override"])
def test_invalid_port_value(monkeypatch, how):
    if how == "env":
        monkeypatch.setenv("STORYWIRE_PORT", "99999")
        overrides = {}
    else:
        overrides = {"port": 99999}
    with pytest.raises(ConfigError, match=r"invalid settings: port: .*65535"):
        load_settings(**overrides)


def test_settings_are_frozen():
    with pytest.raises(ValueError):
        load_settings().port = 1  # type: ignore[misc]


def test_every_setting_is_documented():
    """docs/configuration.md names each setting as `name`."""
    assert DOCS.is_file(), f"{DOCS} is missing"
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`{name}`" not in text]
    assert not missing, f"not documented in {DOCS.name}: {missing}"
