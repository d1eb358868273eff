"""The CLI tests' corpus (two events, three outlets each), its --field mapping, and the
``cli`` fixture (conftest.py makes it every test's): ``storywire --db tmp/sw.db ARGS``
through click's CliRunner."""

import json

import pytest
from click.testing import CliRunner

from storywire import Store
from storywire.cli import main

QUAKE = [
    (
        "q1",
        "Reuters",
        "2025-03-04T06:10:00Z",
        "Magnitude 7.1 earthquake strikes off coast of southern Chile",
        "A magnitude 7.1 earthquake struck off the coast of southern Chile early on Tuesday, "
        "the US Geological Survey said. Chile's disaster agency ordered a precautionary tsunami "
        "evacuation of coastal areas in the Los Lagos region. There were no immediate reports "
        "of casualties or major damage to buildings in Puerto Montt.",
    ),
    (
        "q2",
        "Associated Press",
        "2025-03-04T07:02:00Z",
        "Strong earthquake shakes southern Chile, tsunami evacuation ordered",
        "A strong earthquake of magnitude 7.1 shook southern Chile on Tuesday and authorities "
        "ordered a tsunami evacuation along the coast of the Los Lagos region. The US Geological "
        "Survey said the quake was centred at sea at a depth of 30 kilometres. Officials in "
        "Puerto Montt reported power cuts but no casualties.",
    ),
    (
        "q3",
        "BBC News",
        "2025-03-04T08:30:00Z",
        "Chile earthquake: tsunami warning lifted after magnitude 7.1 quake",
        "Chilean authorities lifted a tsunami warning hours after a magnitude 7.1 earthquake "
        "struck off the southern coast on Tuesday. Residents of the Los Lagos region who had "
        "been evacuated were allowed to return home. The US Geological Survey said the quake "
        "hit at sea, and no casualties were reported in Puerto Montt.",
    ),
]
ECB = [
    (
        "e1",
        "Reuters",
        "2025-03-06T13:20:00Z",
        "European Central Bank cuts interest rates by a quarter point",
        "The European Central Bank cut its deposit rate by a quarter point to 2.5 percent on "
        "Thursday, its sixth cut since June, as inflation in the euro zone eased towards its "
        "target. ECB President Christine Lagarde said monetary policy was becoming meaningfully "
        "less restrictive.",
    ),
    (
        "e2",
        "Financial Times",
        "2025-03-06T14:05:00Z",
        "ECB lowers deposit rate to 2.5 percent as euro zone inflation eases",
        "The European Central Bank lowered its deposit rate to 2.5 percent on Thursday, a cut "
        "of a quarter point, saying euro zone inflation was easing. Christine Lagarde told "
        "reporters the ECB's monetary policy was becoming meaningfully less restrictive, "
        "hinting the bank could pause its cuts.",
    ),
    (
        "e3",
        "BBC News",
        "2025-03-06T15:40:00Z",
        "European Central Bank cuts rates again as inflation cools",
        "The European Central Bank has cut interest rates again, lowering its deposit rate to "
        "2.5 percent. Christine Lagarde said euro zone inflation was cooling and the ECB's "
        "monetary policy was becoming less restrictive. It is the sixth quarter point cut "
        "since June.",
    ),
]
FIELDS = [
    "--field",
    "text=body",
    "--field",
    "outlet=source",
    "--field",
    "published=date",
    "--field",
    "id=ID",
]


def record(ident, source, date, title, body):
    return {
        "ID": ident,
        "source": source,
        "date": date,
        "title": title,
        "body": body,
        "url": f"https://news.example/{ident}",
    }


def jsonl(articles):
    return "".join(json.dumps(record(*a)) + "\n" for a in articles)


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run ``storywire --db tmp_path/sw.db ARGS``; returns the click Result."""
    for name in ("STORYWIRE_DB", "STORYWIRE_CONFIG", "STORYWIRE_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    db = tmp_path / "sw.db"

    def run(*args, db=db):
        return CliRunner().invoke(main, ["--db", str(db), *args])

    run.db = db
    return run


def feed_rows(db):
    store = Store(db)
    store.migrate()
    try:
        return store.list_feeds()
    finally:
        store.close()
