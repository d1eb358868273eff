"""The command line's shape: global options before or after any verb, help that shows
them with one example per verb, the fields ``import`` reads, and plural forms."""

import json
import shlex

import click
import pytest
from click.testing import CliRunner

from storywire.cli import main
from storywire.ingest.corpus import FIELDS


def verbs(group: click.Group = main, path: tuple[str, ...] = ()):
    """(("feeds", "add"), command) for every command and group under ``group``."""
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from verbs(command, (*path, name))


VERBS = dict(verbs())


@pytest.fixture
def run(monkeypatch):
    for name in ("STORYWIRE_DB", "STORYWIRE_CONFIG", "STORYWIRE_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], prog_name="storywire")

    return invoke


def articles(*outlets):
    """A JSON Lines file's text: one article about the same event per outlet."""
    lines = [
        {
            "id": f"a{i}",
            "title": "Magnitude 7.1 earthquake strikes off coast of southern Chile",
            "text": "A magnitude 7.1 earthquake struck off the coast of southern Chile on "
            "Tuesday, the US Geological Survey said. A tsunami evacuation was ordered.",
            "published": f"2025-03-04T0{i}:00:00Z",
            "outlet": outlet,
        }
        for i, outlet in enumerate(outlets)
    ]
    return "".join(json.dumps(line) + "\n" for line in lines)


@pytest.mark.parametrize("where", ["before", "after"])
def test_db_before_or_after_the_verb(run, tmp_path, where):
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(articles("Reuters"), encoding="utf-8")
    db = tmp_path / "sw.db"
    args = ["import", corpus]
    result = run(*(["--db", db, *args] if where == "before" else [*args, "--db", db]))
    assert result.exit_code == 0, result.output
    listing = run("story", "list", "--db", db)
    assert listing.exit_code == 0 and "Magnitude 7.1" in listing.stdout
    assert not (tmp_path / "storywire.db").exists()


def test_nested_verb_takes_global_options_at_every_level(run, tmp_path):
    db = tmp_path / "sw.db"
    added = run("feeds", "--db", db, "add", "https://a.example/rss", "--no-discover")
    assert added.exit_code == 0, added.output
    for args in (
        ["--db", db, "feeds", "list"],
        ["feeds", "--db", db, "list"],
        ["feeds", "list", "--db", db],
    ):
        listed = run(*args)
        assert listed.exit_code == 0 and "https://a.example/rss" in listed.stdout, args


def test_the_option_after_the_verb_wins(run, tmp_path):
    corpus = tmp_path / "a.jsonl"
    corpus.write_text(articles("Reuters"), encoding="utf-8")
    before, after = tmp_path / "before.db", tmp_path / "after.db"
    assert run("--db", before, "import", corpus, "--db", after).exit_code == 0
    assert after.exists() and not before.exists()


def test_config_and_log_level_after_the_verb(run, tmp_path):
    missing = tmp_path / "none.toml"
    result = run("feeds", "list", "--db", tmp_path / "sw.db", "--config", missing)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and f"{missing} does not exist" in result.stderr
    config = tmp_path / "sw.toml"
    config.write_text(f'db = "{tmp_path / "from-config.db"}"\n', encoding="utf-8")
    added = run("feeds", "add", "https://a.example/rss", "--no-discover", "--config", config)
    assert added.exit_code == 0, added.output
    assert (tmp_path / "from-config.db").exists()
    quiet = run("feeds", "list", "--config", config, "--log-level", "ERROR")
    assert quiet.exit_code == 0 and "https://a.example/rss" in quiet.stdout


@pytest.mark.parametrize("path", list(VERBS), ids=" ".join)
def test_every_verb_shows_the_global_options_and_one_example(run, path):
    shown = run(*path, "--help")
    assert shown.exit_code == 0, shown.output
    for option in ("--db PATH", "--config PATH", "--log-level"):
        assert option in shown.stdout, (path, option)
    lines = shown.stdout.splitlines()
    examples = [i for i, line in enumerate(lines) if line.strip() == "Example:"]
    assert len(examples) == 1, shown.stdout
    example = shlex.split(lines[examples[0] + 1])
    assert example[0] == "storywire"
    # The example names options the verb has, and is the verb it documents.
    parsed = run(*example[1:], "--help")
    assert parsed.exit_code == 0, (example, parsed.output)
    usage = parsed.stdout.splitlines()[0]
    assert usage.startswith(f"Usage: storywire {' '.join(path)} "), (example, usage)


def test_import_help_lists_every_field_it_reads(run):
    shown = run("import", "--help").stdout
    listed = [line.split()[0] for line in shown.splitlines() if line.startswith("    ")]
    assert [name for name in listed if name in FIELDS] == list(FIELDS)
    for name, meaning in FIELDS.items():
        assert meaning in " ".join(shown.split()), name


def test_poll_has_no_option_that_does_nothing(run):
    assert "--once" not in run("poll", "--help").stdout
    assert run("poll", "--once").exit_code == 2  # a usage error, not silently ignored


def test_plural_forms(run, tmp_path):
    db = tmp_path / "sw.db"
    one = tmp_path / "one.jsonl"
    one.write_text(articles("Reuters"), encoding="utf-8")
    result = run("import", one, "--db", db)
    assert "1 new article, 0 already stored, 0 bad lines; 1 story written" in result.stdout
    listing = run("story", "list", "--db", db).stdout
    assert " 1 outlet " in listing and "outlets" not in listing
    page = run("story", "show", "1", "--db", db).stdout
    assert page.splitlines()[0].endswith(" · 1 outlet")

    two = tmp_path / "two.jsonl"
    two.write_text(articles("Reuters", "Associated Press", "BBC"), encoding="utf-8")
    result = run("import", two, "--db", tmp_path / "two.db")
    assert "3 new articles" in result.stdout and "1 story written" in result.stdout
    assert " 3 outlets " in run("story", "list", "--db", tmp_path / "two.db").stdout

    batch = run("batch", one, "--out", tmp_path / "out.jsonl")
    assert "1 article, 1 story, 0 bad lines" in batch.stderr

    shown = run("outlets", "show", "Reuters", "--db", db).stdout
    assert shown.startswith("Reuters (id ") and shown.splitlines()[0].endswith(", 1 article)")
