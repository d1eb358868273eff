"""A throwaway PostgreSQL server on 127.0.0.1 for the contract tests.

``initdb -A trust`` in a temporary folder, ``pg_ctl start`` on a free port, one fresh
database per test (``create_database``), everything removed at the end. PostgreSQL
refuses to run as root: as root the commands run as the ``postgres`` user (``runuser``)
in a folder it owns. With ``STORYWIRE_TEST_DATABASE_URL`` set, the databases are made on
that server instead and nothing is started.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.support.live import free_port


def pg_bindir() -> Path | None:
    """Where initdb and pg_ctl are (Debian keeps them out of PATH), or None."""
    if found := shutil.which("pg_ctl"):
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


class PostgresServer:
    def __init__(self, url: str | None = None, options: str = ""):
        """``options``: more server settings for ``postgres`` (e.g. ``-c shared_buffers=
        512MB``), when this starts the server."""
        self.folder: Path | None = None
        self._halted = False
        self._options = options
        self._names = itertools.count(1)
        self._prefix = f"storywire_test_{os.getpid()}_"
        self.admin_url = url or self._start()

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)

    def _start(self) -> str:
        bindir = pg_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed (no pg_ctl)")
        self.folder = Path(tempfile.mkdtemp(prefix="storywire-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data, port = self.folder / "data", free_port()
        user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
        self._run(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", user)
        options = (
            f"-k {self.folder} -p {port} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            f" {self._options}"
        )
        self._run(
            str(bindir / "pg_ctl"),
            *("-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"),
        )
        self._pg_ctl = bindir / "pg_ctl"
        self._options = options
        return f"postgresql://{user}@127.0.0.1:{port}/postgres"

    def restart(self) -> None:
        """Stop the server at once (like a crash: ``-m immediate``) and start it again on
        the same port; every client connection is cut."""
        self.halt()
        self.resume()

    def halt(self) -> None:
        """Stop the server at once (like a crash), keeping its data for ``resume``."""
        assert self.folder is not None, "only a server this helper started can stop"
        data = str(self.folder / "data")
        self._run(str(self._pg_ctl), "-D", data, "-m", "immediate", "-w", "stop")
        self._halted = True

    def resume(self) -> None:
        """Start a halted server again on the same port."""
        assert self.folder is not None, "only a server this helper started can start"
        data = str(self.folder / "data")
        self._run(
            str(self._pg_ctl),
            *("-D", data, "-o", self._options, "-l", str(self.folder / "log"), "-w", "start"),
        )
        self._halted = False

    def create_database(self) -> str:
        """A new empty database (UTF-8; text sorts by code point, as in SQLite); its URL."""
        name = f"{self._prefix}{next(self._names)}"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
                " LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
            )
        return self.admin_url.rsplit("/", 1)[0] + f"/{name}"

    def stop(self) -> None:
        if self.folder is None:  # an outside server: drop what we made
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                names = conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    (self._prefix + "%",),
                ).fetchall()
                for (name,) in names:
                    conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        if not self._halted:
            self._run(str(self._pg_ctl), "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
