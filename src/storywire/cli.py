"""The ``storywire`` command: thin commands over the pipeline and the store."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import sys
import threading
from contextlib import closing
from importlib import resources
from pathlib import Path
from typing import Any

import click

from .cli_base import CliContext, MainGroup, echo
from .cli_feeds import feeds
from .cli_outlets import majority_facts, outlets
from .errors import StorywireError
from .ingest.corpus import (
    FIELDS,
    BadLine,
    outlet_facts,
    parse_mapping,
    read_records,
    to_article,
)
from .ingest.opml import parse_opml
from .models import Article, FeedInfo
from .present import render_text, story_page
from .progress import progress_bars
from .queue.cli import cluster, scheduler, worker
from .settings import Settings
from .store import open_store
from .text import plural

# The clustering and extraction stack (pipeline: scikit-learn, scipy, trafilatura) is
# imported inside the commands that use it: `serve`, `scheduler` and the short commands
# start without it (seconds of imports; tests/test_lean_imports.py).
log = logging.getLogger("storywire")


@click.group(cls=MainGroup)
@click.version_option(package_name="storywire")
@click.pass_context
def main(ctx: click.Context) -> None:
    """storywire: many outlets' feeds in, one traceable page per story out.

    --db, --config and --log-level go before or after any verb.

    \b
    Example:
      storywire import corpus.jsonl.gz --db news.db
    """
    ctx.call_on_close(ctx.ensure_object(CliContext).close)


# -- database --------------------------------------------------------------------------


@main.group()
def db() -> None:
    """The database schema (Alembic migrations).

    \b
    Example:
      storywire db upgrade --db news.db
    """


@db.command("upgrade")
@click.pass_obj
def db_upgrade(obj: CliContext) -> None:
    """Apply pending migrations, all in one transaction.

    \b
    Example:
      storywire db upgrade --db news.db
    """
    with closing(open_store(obj.settings())) as store:
        applied = store.migrate()
        echo(f"applied {', '.join(applied)}" if applied else "already up to date")
        click.echo(f"{store.where}: at {store.revision()}")


@db.command("current")
@click.pass_obj
def db_current(obj: CliContext) -> None:
    """Print the database's migration revision and whether it is the newest.

    \b
    Example:
      storywire db current --db news.db
    """
    with closing(open_store(obj.settings())) as store:
        revision, newest = store.revision(), store.newest_revision()
        state = "up to date" if revision == newest else f"behind (newest: {newest})"
        click.echo(f"{store.where}: {revision or 'empty'} ({state})")


# -- running -----------------------------------------------------------------------------


def _default_feeds() -> list[FeedInfo]:
    data = resources.files("storywire").joinpath("data/default-feeds.opml").read_bytes()
    return parse_opml(data, name="default-feeds.opml")


@main.command()
@click.pass_obj
def poll(obj: CliContext) -> None:
    """Poll the due feeds once, store their articles, write the changed stories and exit
    (for cron; `storywire run` polls on a schedule and serves the pages).

    \b
    Example:
      storywire poll --db news.db
    """
    from .pipeline import Pipeline  # the clustering stack: only where it is used

    pipeline = Pipeline(obj.store(), obj.settings())
    with progress_bars() as add_bar:
        report = asyncio.run(pipeline.poll_once(add_bar=add_bar))
    echo(
        f"{plural(report.feeds, 'feed')} polled ({plural(report.feed_errors, 'error')}, "
        f"{report.not_modified} not modified), {plural(report.articles, 'new article')}, "
        f"{plural(report.stories_written, 'story', 'stories')} written"
    )
    for line in report.errors:
        echo(f"  {line}", err=True)


@main.command()
@click.option("--host", help="Listen address [default 127.0.0.1].")
@click.option("--port", type=int, help="Listen port [default 8000].")
@click.option("--workers", type=click.IntRange(1, 64), help="Server processes [default 1].")
@click.option("--admin-token", help="Token for feed management [env STORYWIRE_ADMIN_TOKEN].")
@click.pass_obj
def serve(
    obj: CliContext,
    host: str | None,
    port: int | None,
    workers: int | None,
    admin_token: str | None,
) -> None:
    """Serve the web pages and API without polling.

    \b
    Example:
      storywire serve --port 8080 --workers 4
    """
    from .web.server import serve_forever

    obj.store()  # migrate once, before any worker starts
    serve_forever(obj.settings(host=host, port=port, workers=workers, admin_token=admin_token))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--pages",
    type=click.IntRange(1, 1000),
    default=20,
    show_default=True,
    help="Home pages to export (each lists 30 stories).",
)
@click.pass_obj
def export(obj: CliContext, folder: Path, pages: int) -> None:
    """Write the pages as a static site into FOLDER (for any static host).

    \b
    Example:
      storywire export site/ --pages 5
    """
    from .web.export import export_site

    with progress_bars() as add_bar:
        report = export_site(obj.settings(), obj.store(), folder, max_pages=pages, add_bar=add_bar)
    echo(f"{folder}: {plural(report.pages, 'home page')}, {plural(report.stories, 'story page')}")


@main.command()
@click.option("--host", help="Listen address [default 127.0.0.1].")
@click.option("--port", type=int, help="Listen port [default 8000].")
@click.pass_obj
def run(obj: CliContext, host: str | None, port: int | None) -> None:
    """Poll feeds on a schedule, write stories and serve the pages until Ctrl-C.

    \b
    Example:
      storywire run --port 8000
    """
    from .web.server import serve_forever

    settings = obj.settings(host=host, port=port)
    store = obj.store()
    if settings.default_feeds and not store.list_feeds():
        added = store.add_feeds(_default_feeds())
        echo(f"no feeds yet: loaded {plural(added, 'default feed')}")
    stop = threading.Event()
    poller = threading.Thread(target=_poll_loop, args=(settings, stop), name="poller")
    poller.start()
    echo(f"serving http://{settings.host}:{settings.port}/ (Ctrl-C stops)")
    try:
        serve_forever(settings)
    finally:
        stop.set()
        echo("stopping: the poller saves what it has and exits...")
        poller.join()


def _poll_loop(settings: Settings, stop: threading.Event) -> None:
    from .pipeline import Pipeline

    store = open_store(settings)  # its own connection: SQLite objects stay in their thread
    try:
        asyncio.run(Pipeline(store, settings).run_forever(stop))
    except Exception:  # keep serving even if the poller dies; the log says why
        log.exception("poller stopped")
    finally:
        store.close()


# -- import ------------------------------------------------------------------------------


def _fields_help() -> str:
    """The fields ``import`` and ``batch`` read, one per line (``\\b``: click keeps the lines)."""
    width = max(map(len, FIELDS))
    return "\b\n" + "\n".join(f"  {name:<{width}}  {what}" for name, what in FIELDS.items())


_FIELD_OPTION_HELP = "Read NAME from the file's SOURCE_FIELD (repeatable); NAME is a field above."


_IMPORT_HELP = f"""Import articles from a JSON Lines file (.jsonl or .jsonl.gz), one JSON
object per line. Exit status 3 when lines were bad (the good ones are still imported).

Each line's fields are read under these names, or where --field points:

{_fields_help()}

\b
Example:
  storywire import articles.jsonl.gz --field text=content_original --field outlet=source
"""


@main.command("import", help=_IMPORT_HELP)
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--field", "fields", multiple=True, metavar="NAME=SOURCE_FIELD", help=_FIELD_OPTION_HELP
)
@click.pass_obj
def import_(obj: CliContext, file: Path, fields: tuple[str, ...]) -> None:
    mapping = parse_mapping(fields)
    articles, bad, facts = _read_articles(file, mapping)
    for b in bad[:20]:
        echo(f"{file}:{b.line}: skipped: {b.reason}", err=True)
    if len(bad) > 20:
        echo(f"... and {plural(len(bad) - 20, 'more bad line')}", err=True)
    articles.sort(key=lambda a: a.published)
    if facts:  # lean / country of each article's outlet, the majority of its lines
        obj.store().set_outlets_by_name(facts, "import")
    from .pipeline import Pipeline  # the clustering stack: only where it is used

    pipeline = Pipeline(obj.store(), obj.settings())
    with progress_bars() as add_bar:
        new, known = pipeline.import_articles(articles, add_bar("import + cluster", len(articles)))
        written = pipeline.write_dirty(add_bar("write stories", len(pipeline.dirty)))
    obj.store().tidy_windows()
    derived = sum(a.title_from_text for a in articles)
    echo(
        f"{file}: {plural(new, 'new article')}, {known} already stored, "
        f"{plural(len(bad), 'bad line')}; {plural(written, 'story', 'stories')} written"
        + (f"; {plural(derived, 'title')} taken from the text (none given)" if derived else "")
    )
    if bad:
        sys.exit(3)


def _read_articles(
    file: Path, mapping: dict[str, str]
) -> tuple[list[Article], list[BadLine], dict[str, dict[str, str]]]:
    articles: list[Article] = []
    bad: list[BadLine] = []
    facts: list[tuple[str, dict[str, str]]] = []
    for line, obj in read_records(file):
        item = obj if isinstance(obj, BadLine) else to_article(obj, mapping, line)
        (bad if isinstance(item, BadLine) else articles).append(item)  # type: ignore[arg-type]
        if not isinstance(item, BadLine) and not isinstance(obj, BadLine):
            facts.append(outlet_facts(obj, mapping))
    return articles, bad, majority_facts(facts)


# -- batch -------------------------------------------------------------------------------


@main.command()
@click.argument("input_file", metavar="INPUT.jsonl[.gz]", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Write the stories here as JSON Lines ('-' for standard output).",
)
@click.option("--no-write", is_flag=True, help="Only cluster: story_id and article_ids.")
@click.option(
    "--group-by",
    metavar="FIELD",
    help="Take the stories from this input field "
    "instead of clustering (to use or evaluate the writer alone).",
)
@click.option(
    "--words",
    type=click.IntRange(20, 100_000),
    default=None,
    help="Word budget of a story body [default: the story_words setting].",
)
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME=SOURCE_FIELD",
    help="Read NAME from the file's SOURCE_FIELD (repeatable), e.g. --field id=ID; "
    f"NAME is one of {', '.join(FIELDS)}.",
)
@click.pass_obj
def batch(
    obj: CliContext,
    input_file: Path,
    out: Path,
    no_write: bool,
    group_by: str | None,
    words: int | None,
    fields: tuple[str, ...],
) -> None:
    """Cluster a JSON Lines file of articles into stories written as JSON Lines
    (no database; format in docs/batch.md). Exit status 3 when input lines were bad.

    \b
    Example:
      storywire batch articles.jsonl.gz --out stories.jsonl --field id=ID
    """
    from .batch import run_batch
    from .cluster.engine import EngineConfig

    settings = obj.settings()
    options: dict[str, Any] = {
        "write": not no_write,
        "words": words or settings.story_words,
        "group_by": group_by,
        "config": EngineConfig.from_settings(settings),
        "mapping": parse_mapping(fields),
    }
    with progress_bars() as add_bar:
        options["add_bar"] = add_bar
        if str(out) == "-":
            report = run_batch(input_file, sys.stdout, **options)
        else:
            with out.open("w", encoding="utf-8") as fh:
                report = run_batch(input_file, fh, **options)
    echo(
        f"{input_file}: {plural(report.articles, 'article')}, "
        f"{plural(report.stories, 'story', 'stories')}, {plural(len(report.bad), 'bad line')}",
        err=True,
    )
    if report.bad:
        sys.exit(3)


# -- stories -----------------------------------------------------------------------------


main.add_command(feeds)
main.add_command(outlets)
main.add_command(worker)
main.add_command(scheduler)
main.add_command(cluster)


@main.group()
def story() -> None:
    """Read stories.

    \b
    Example:
      storywire story list --limit 5
    """


@story.command("show")
@click.argument("story_id", type=int)
@click.pass_obj
def story_show(obj: CliContext, story_id: int) -> None:
    """Print a story page as text.

    \b
    Example:
      storywire story show 42
    """
    page = story_page(obj.store(), story_id)
    if page is None:
        raise click.ClickException(f"no written story with id {story_id}")
    echo(render_text(page), nl=False)


@story.command("list")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.pass_obj
def story_list(obj: CliContext, limit: int) -> None:
    """List stories, most outlets and most recent first.

    \b
    Example:
      storywire story list --limit 5
    """
    for s, title in obj.store().list_stories(limit=limit):
        outlets = plural(s.outlet_count, "outlet", width=3)
        echo(f"{s.id:6d}  {outlets:<11}  {s.last_published:%Y-%m-%d}  {title}")


@main.command("extract")
@click.argument("files", nargs=-1, required=True)
@click.option("--url", default="", help="URL the page came from (helps dates and kind).")
def extract_cmd(files: tuple[str, ...], url: str) -> None:
    """Extract article pages: one JSON object per FILE on its own line (JSON Lines).

    FILE may be gzip-compressed (.gz) or - for standard input. A file that cannot be
    read or holds no article gets a line with "file" and "error"; the others still
    print. The exit status is 1 when any file failed.

    \b
    Example:
      storywire extract page.html.gz --url https://example.com/news/1
    """
    failed = False
    for name in files:
        record = _extract_record(name, url)
        failed = failed or "error" in record
        echo(json.dumps(record, ensure_ascii=False))
    if failed:
        sys.exit(1)


def _extract_record(name: str, url: str) -> dict[str, Any]:
    from .extract import extract_page

    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        page = extract_page(data, url)
    except (OSError, EOFError, StorywireError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return {"file": name, "error": reason or exc.__class__.__name__}
    return {
        "file": name,
        "title": page.title,
        "author": page.author,
        "published": page.published.isoformat() if page.published else None,
        "language": page.language,
        "site_name": page.site_name,
        "kind": str(page.kind),
        "section": page.section,
        "page_type": page.page_type,
        "text": page.text,
    }
