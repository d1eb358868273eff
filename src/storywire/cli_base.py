"""What every ``storywire`` command shares: the options accepted before or after any verb
(``storywire --db x.db import F`` and ``storywire import F --db x.db`` are the same), the
context they merge into, one-line errors and output without terminal control characters.

``cli.py`` and ``cli_outlets.py`` build their commands with :class:`Group`; a command
made with ``group.command()`` is a :class:`Command`, so none can miss the global options.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from .errors import StorywireError
from .settings import Settings, load_settings
from .store import Store, open_store
from .text import terminal_safe


class CliContext:
    """The global options of the whole command line (a later one wins: the verb's over the
    group's), and the store, opened on first use and closed when the command ends."""

    def __init__(self) -> None:
        self.overrides: dict[str, Any] = {}
        self._store: Store | None = None

    def settings(self, **more: Any) -> Settings:
        values = {k: v for k, v in self.overrides.items() if k != "config"}
        return load_settings(self.overrides.get("config"), **{**values, **more})

    def start(self) -> None:
        """Check the settings (a bad one fails every verb the same way) and set up logging."""
        level = self.settings().log_level.upper()
        handler = logging.StreamHandler()
        handler.setFormatter(_SafeFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.basicConfig(level=getattr(logging, level, logging.INFO), handlers=[handler])

    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.settings())
            self._store.migrate()
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None and param.name:
        ctx.ensure_object(CliContext).overrides[param.name] = value
    return value


def global_options() -> list[click.Parameter]:
    """``--db``, ``--config``, ``--log-level``: fresh options for one command or group."""
    common: dict[str, Any] = {"expose_value": False, "callback": _remember}
    return [
        click.Option(
            ["--db"],
            type=click.Path(path_type=Path),
            help="SQLite file [env STORYWIRE_DB; default ./storywire.db].",
            **common,
        ),
        click.Option(
            ["--config"],
            type=click.Path(path_type=Path),
            help="TOML settings file [env STORYWIRE_CONFIG].",
            **common,
        ),
        click.Option(
            ["--log-level"],
            help="DEBUG, INFO, WARNING or ERROR [env STORYWIRE_LOG_LEVEL].",
            **common,
        ),
    ]


class Command(click.Command):
    """A verb: takes the global options too; checks the settings and sets up logging
    before it runs (once every option, the group's and its own, is known)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(global_options())

    def invoke(self, ctx: click.Context) -> Any:
        ctx.ensure_object(CliContext).start()
        return super().invoke(ctx)


class Group(click.Group):
    """A group of verbs: takes the global options too; its commands are :class:`Command`
    and its subgroups :class:`Group`."""

    command_class = Command
    group_class: type[click.Group] | type[type] | None = type

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.params.extend(global_options())


class MainGroup(Group):
    """The ``storywire`` group: prints storywire's errors as one plain line (no traceback)
    and exits 1."""

    group_class = Group

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StorywireError as exc:
            click.secho(terminal_safe(f"error: {exc}"), fg="red", err=True)
            sys.exit(1)
        except click.ClickException as exc:
            if type(exc) is not click.ClickException:  # usage errors keep their form
                raise
            # A command's own error may quote a server's reason phrase.
            raise click.ClickException(terminal_safe(exc.format_message())) from exc


def echo(message: str, **kwargs: Any) -> None:
    """click.echo without terminal control characters: titles, authors, feed errors, outlet
    facts and file contents cannot drive the terminal (escape sequences, window titles)."""
    click.echo(terminal_safe(message), **kwargs)


class _SafeFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return terminal_safe(super().format(record))
