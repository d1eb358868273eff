"""Every setting, declared once with its default and help.

Precedence: defaults < config file (TOML, ``--config`` or ``STORYWIRE_CONFIG``)
< environment (``STORYWIRE_<NAME>``) < command-line flags. ``docs/configuration.md``
documents each one; a test fails when a setting is missing there.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STORYWIRE_", frozen=True, extra="forbid")

    db: Path = Field(Path("storywire.db"), description="SQLite database file.")
    database_url: str = Field(
        "",
        description="Database URL, e.g. postgresql://user@host/storywire for PostgreSQL"
        " (several processes or machines); empty: the SQLite file `db`.",
    )
    database_pool: int = Field(
        8,
        ge=1,
        le=1000,
        description="PostgreSQL connections one process keeps at most (callers beyond wait"
        " for one): more busy connections than the database has cores cost its CPU in"
        " contention.",
    )
    search_concurrency: int = Field(
        0,
        ge=0,
        le=1000,
        description="Searches one web process runs at once; the others wait their turn in"
        " arrival order (many at once share the CPU, and a costly search then took many"
        " times the mean: the 99th percentile). 0: 4 (at most `database_pool` on"
        " PostgreSQL).",
    )
    host: str = Field("127.0.0.1", description="Address the web server listens on.")
    port: int = Field(8000, ge=0, le=65535, description="Port the web server listens on.")
    user_agent: str = Field(
        "storywire/0.1 (self-hosted news story engine; polls public feeds)",
        description="User-Agent sent with every request.",
    )
    poll_interval: float = Field(
        900.0, gt=0, description="Seconds between polls of one feed (and between cycles)."
    )
    fetch_concurrency: int = Field(16, ge=1, description="Requests in flight at once overall.")
    per_host_concurrency: int = Field(2, ge=1, description="Requests in flight to one host.")
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to connect to a server.")
    read_timeout: float = Field(20.0, gt=0, description="Seconds to wait for response data.")
    max_body_bytes: int = Field(
        10_000_000, gt=0, description="Largest response body accepted, in bytes."
    )
    fetch_deadline: float = Field(
        60.0, gt=0, description="Total seconds one request may take, redirects included."
    )
    max_redirects: int = Field(5, ge=0, description="Redirects followed for one request.")
    allow_private_addresses: bool = Field(
        False,
        description="Allow URLs whose host resolves to loopback, private, link-local, "
        "multicast or cloud-metadata addresses (off: refused, against SSRF).",
    )
    respect_robots: bool = Field(True, description="Honour robots.txt for article pages.")
    min_poll_interval: float = Field(
        300.0, gt=0, description="Shortest adaptive interval between polls of one feed (s)."
    )
    max_poll_interval: float = Field(
        86400.0, gt=0, description="Longest adaptive interval between polls of one feed (s)."
    )
    failing_after: int = Field(
        10, ge=1, description="Errors in a row after which a feed is marked failing."
    )
    extract_processes: int = Field(
        -1,
        ge=-1,
        description="Worker processes for page extraction (0: a thread in-process;"
        " -1: min(2, cores) processes once a poll cycle has over 20 pages, a thread before).",
    )
    near_duplicate_threshold: float = Field(
        0.7,
        gt=0,
        le=1,
        description="MinHash Jaccard similarity at which an article is "
        "a near-duplicate of an earlier one.",
    )
    max_entries_per_feed: int = Field(
        50, ge=1, description="Newest entries of a feed whose pages are fetched per poll."
    )
    default_feeds: bool = Field(
        True, description="Load the shipped feed list on `storywire run` when no feed exists."
    )
    cluster_window_hours: float = Field(
        72.0,
        gt=0,
        description="A story is open this many hours after its newest article; "
        "closed, it can still absorb a clearly matching late article for as long again.",
    )
    cluster_max_span_days: float = Field(
        7.0,
        gt=0,
        description="Drift guard: a story whose articles would span more than "
        "this many days takes no more articles and is not merged (later articles start a "
        "new story), so an ongoing topic cannot grow into one mega-story.",
    )
    cluster_threshold: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Lowest same-story probability (pair model) for joining "
        "an open story; unset: the shipped model's own threshold.",
    )
    story_words: int = Field(
        400, ge=20, description="Most words of a story body (short stories get fewer)."
    )
    admin_token: str | None = Field(
        None,
        description="Token that unlocks feed management in the browser; required "
        "when the server listens on anything but 127.0.0.1 (feed management is off there "
        "without one).",
    )
    base_url: str = Field(
        "",
        description="Public address of the site (e.g. https://news.example.org), used "
        "for absolute links in Atom/JSON feeds and accepted as a Host name; "
        "default http://HOST:PORT.",
    )
    show_images: bool = Field(
        True,
        description="Show each story's lead image (the article page's og:image) on home "
        "cards and story pages; the reader's browser loads it from the outlet's site, "
        "lazily. Off: no image anywhere.",
    )
    page_cache_seconds: float = Field(
        5.0,
        ge=0,
        description="Seconds a rendered home, listing or feed page is reused "
        "(story pages are cached per version and never go stale; a story's current"
        " version is looked up at most this often per process).",
    )
    workers: int = Field(1, ge=1, le=64, description="Web server processes for `serve`.")
    llm_base_url: str = Field(
        "",
        description="Base URL of an OpenAI-compatible server for the optional LLM writer "
        "(e.g. http://127.0.0.1:8080/v1); empty: the extractive writer only.",
    )
    llm_model: str = Field("", description="Model name sent to the LLM server.")
    llm_api_key: str = Field("", description="API key for the LLM server (empty: none sent).")
    llm_timeout: float = Field(
        30.0, gt=0, description="Seconds to wait for the LLM server before writing extractively."
    )
    log_level: str = Field("INFO", description="Logging level (DEBUG, INFO, WARNING, ERROR).")
    broker_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Celery broker for `storywire worker` and `scheduler` (Redis); unused"
        " by `storywire run`, which polls in-process.",
    )
    task_visibility_timeout: float = Field(
        600.0,
        gt=0,
        description="Seconds before a task a worker took and never acknowledged (the worker"
        " died) is given to another worker; also the lease a queued or running poll holds"
        " on its feed.",
    )
    scheduler_tick: float = Field(
        5.0, gt=0, description="Seconds between two looks of `storywire scheduler` for due feeds."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)


def _read_config_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file {path} does not exist") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    section = data.get("storywire", data)
    return {k.replace("-", "_"): v for k, v in section.items()}


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Build settings from file, environment and explicit overrides (None means unset)."""
    config = config or (Path(p) if (p := os.environ.get("STORYWIRE_CONFIG")) else None)
    file_values = _read_config_file(config) if config else {}
    env_names = {key.upper() for key in os.environ}  # pydantic reads them case-insensitively
    env_keys = {name for name in Settings.model_fields if f"STORYWIRE_{name.upper()}" in env_names}
    values = {k: v for k, v in file_values.items() if k not in env_keys}
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
