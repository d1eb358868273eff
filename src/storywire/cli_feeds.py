"""``storywire feeds add/import/export/list/remove``: the feeds that are polled."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit

import click

from .cli_base import CliContext, Group, echo
from .ingest.opml import MAX_OPML_BYTES, parse_opml, to_opml
from .text import plural


@click.group(cls=Group)
def feeds() -> None:
    """Manage the feeds that are polled.

    \b
    Example:
      storywire feeds add https://www.theguardian.com/
    """


@feeds.command("add")
@click.argument("url")
@click.option("--outlet", default="", help="Outlet name (default: the URL's host).")
@click.option("--kind", type=click.Choice(["news", "wire", "opinion"]), default="news")
@click.option(
    "--no-discover",
    is_flag=True,
    help="Add URL as given, without fetching it to find the feeds a site's page advertises.",
)
@click.pass_obj
def feeds_add(obj: CliContext, url: str, outlet: str, kind: str, no_discover: bool) -> None:
    """Add a feed, or the feeds a site advertises: URL may be a feed or a site's page
    (its <link rel="alternate"> feeds are added, else the first of /feed, /rss.xml,
    /atom.xml, /index.xml, /feed.json that is a feed).

    \b
    Example:
      storywire feeds add https://www.theguardian.com/ --outlet "The Guardian"
    """
    from .errors import FetchError
    from .ingest.discover import Discovery, FoundFeed, feed_infos, find_feeds, unreachable

    if not url.startswith(("http://", "https://")):
        raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URL")
    outlet = outlet or _host(url)
    found = Discovery(url, "feed", (FoundFeed(url),))
    if not no_discover:
        try:
            found = asyncio.run(find_feeds(obj.settings(), url))
            echo(found.describe())
        except FetchError as exc:
            if not unreachable(exc):
                raise click.ClickException(f"nothing added: {url}: {exc}") from exc
            echo(f"could not reach {url} ({exc}): adding it as given", err=True)
    if not found.feeds:
        raise click.ClickException("nothing added")
    infos = feed_infos(found, outlet, kind)
    store = obj.store()
    known = {f.url for f in store.list_feeds()}
    store.add_feeds(infos)
    for info in infos:
        echo(f"already present: {info.url}" if info.url in known else f"added {info.url}")


@feeds.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def feeds_import(obj: CliContext, file: Path) -> None:
    """Import feeds from an OPML file (all of it, or nothing if the file is broken).

    \b
    Example:
      storywire feeds import subscriptions.opml
    """
    with file.open("rb") as fh:  # never more than the limit in memory
        infos = parse_opml(fh.read(MAX_OPML_BYTES + 1), name=str(file))
    added = obj.store().add_feeds(infos)
    echo(f"{file}: {plural(len(infos), 'feed')}, {added} new")


@feeds.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to a file.")
@click.pass_obj
def feeds_export(obj: CliContext, output: Path | None) -> None:
    """Export all feeds as OPML.

    \b
    Example:
      storywire feeds export -o subscriptions.opml
    """
    text = to_opml(obj.store().list_feeds())
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        echo(text, nl=False)


@feeds.command("list")
@click.pass_obj
def feeds_list(obj: CliContext) -> None:
    """List feeds with their last status and error.

    \b
    Example:
      storywire feeds list --db news.db
    """
    rows = obj.store().list_feeds()
    if not rows:
        echo("no feeds: add one with `storywire feeds add URL` or `feeds import FILE`")
    for f in rows:
        checked = f.last_checked_at.isoformat() if f.last_checked_at else "never"
        nxt = f.next_check_at.isoformat() if f.next_check_at else "now"
        every = f", every {_duration(f.poll_interval)}" if f.poll_interval else ""
        echo(
            f"{f.id:4d}  {f.last_status:<12} {plural(f.article_count, 'article', width=5):<14} "
            f"checked {checked}  next {nxt}{every}  {f.url}"
        )
        if f.last_error:
            echo(f"      error ({f.error_count}x): {f.last_error}")


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min"


@feeds.command("remove")
@click.argument("url")
@click.pass_obj
def feeds_remove(obj: CliContext, url: str) -> None:
    """Stop polling a feed (its articles stay).

    \b
    Example:
      storywire feeds remove https://example.com/feed.xml
    """
    if not obj.store().remove_feed(url):
        raise click.ClickException(f"no such feed: {url}")
    echo(f"removed {url}")


def _host(url: str) -> str:
    return urlsplit(url).hostname or url
