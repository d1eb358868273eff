"""``storywire outlets list/show/set`` and the outlet facts ``import --field`` maps."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable

import click

from .cli_base import CliContext, Group, echo
from .outlets import clean_fields
from .text import plural


@click.group(cls=Group)
def outlets() -> None:
    """Outlet facts: lean, country, owner, typology (and where each came from).

    \b
    Example:
      storywire outlets show "The Guardian"
    """


@outlets.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def outlets_list(obj: CliContext, as_json: bool) -> None:
    """Every outlet with its lean, country and number of articles.

    \b
    Example:
      storywire outlets list --json
    """
    for o in obj.store().list_outlets():
        if as_json:
            echo(json.dumps(o, ensure_ascii=False))
        else:
            echo(
                f"{o['id']:5d}  {o['lean']:<10}  {o['country'] or '--':<3} "
                f"{o['article_count']:6d}  {o['name']}"
            )


@outlets.command("show")
@click.argument("outlet")
@click.pass_obj
def outlets_show(obj: CliContext, outlet: str) -> None:
    """One outlet (id or exact name): every fact and its origin.

    \b
    Example:
      storywire outlets show "The Guardian"
    """
    found = obj.store().find_outlet(outlet)
    if found is None:
        raise click.ClickException(f"no outlet {outlet!r} (see `storywire outlets list`)")
    echo(f"{found['name']} (id {found['id']}, {plural(found['article_count'], 'article')})")
    for key in ("lean", "country", "language", "owner", "typology"):
        origin = found["origins"].get(key)
        value = found[key] or "unknown"
        echo(f"  {key:<9} {value}" + (f"  [from {origin}]" if origin else ""))
    echo(f"  {'domains':<9} {', '.join(found['domains']) or 'unknown'}")


@outlets.command("set")
@click.argument("outlet")
@click.argument("facts", nargs=-1, required=True, metavar="FIELD=VALUE...")
@click.pass_obj
def outlets_set(obj: CliContext, outlet: str, facts: tuple[str, ...]) -> None:
    """Set facts of an outlet (id or exact name): FIELD is lean, country, language, owner
    or typology.

    Values set here win over every other origin (feed lists, imports, shipped data).
    lean=unknown clears a lean.

    \b
    Example:
      storywire outlets set "The Guardian" lean="lean left" country=GB
    """
    store = obj.store()
    found = store.find_outlet(outlet)
    if found is None:
        raise click.ClickException(f"no outlet {outlet!r} (see `storywire outlets list`)")
    pairs = {}
    for fact in facts:
        key, sep, value = fact.partition("=")
        if not sep:
            raise click.ClickException(f"{fact!r}: expected FIELD=VALUE")
        pairs[key.strip()] = value
    try:
        values = clean_fields(pairs)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    store.set_outlet(found["id"], values, "user")
    echo(f"{found['name']}: " + ", ".join(f"{k}={v or 'unknown'}" for k, v in values.items()))


def majority_facts(records: Iterable[tuple[str, dict[str, str]]]) -> dict[str, dict[str, str]]:
    """(outlet, {field: value}) per article -> each outlet's most common valid value per
    field (an outlet whose articles disagree takes the majority)."""
    votes: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for outlet, facts in records:
        for key, value in facts.items():
            try:
                clean = clean_fields({key: value}).get(key, "")
            except ValueError:
                continue
            if clean:
                votes[outlet][key][clean] += 1
    return {
        outlet: {key: c.most_common(1)[0][0] for key, c in fields.items()}
        for outlet, fields in votes.items()
    }
