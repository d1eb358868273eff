"""Texts and readers the story-engine tests share: three short articles (two on one
earthquake, one unrelated), BASIL as batch records, and a JSON Lines writer."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

QUAKE = (
    "A magnitude 7.4 earthquake struck Taiwan on Wednesday, collapsing buildings in Hualien "
    "and killing at least nine people, officials said. Rescuers searched the rubble through "
    "the night for people trapped in collapsed apartment blocks, and hundreds of aftershocks "
    "rattled the east coast. The island's weather agency said it was the strongest quake in "
    "25 years; trains were halted and schools closed across the island while engineers "
    "checked bridges and tunnels for damage before traffic could resume on Thursday."
)
QUAKE_2 = (
    "At least nine people died when the strongest earthquake in a quarter of a century hit "
    "Taiwan, toppling buildings in the eastern city of Hualien. Rescue teams worked "
    "overnight to reach residents trapped in damaged apartment blocks."
)
EARNINGS = (
    "Apple reported record iPhone sales in its quarterly earnings on Thursday, beating "
    "analysts' forecasts as demand in China recovered. Revenue rose eight percent to 120 "
    "billion dollars, and the company announced a larger share buyback programme."
)


def basil_records(data: Path) -> list[dict]:
    out = []
    for path in sorted((data / "clustering/basil/articles").glob("*/*.json")):
        a = json.loads(path.read_text(encoding="utf-8"))
        paragraphs = a["body-paragraphs"]
        text = "\n".join(" ".join(p) if isinstance(p, list) else str(p) for p in paragraphs)
        out.append(
            {
                "id": path.stem,
                "title": a.get("title") or "",
                "text": text,
                "published": a["date"],
                "outlet": a["source"],
                "url": a.get("url") or "",
            }
        )
    return out


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


T0 = datetime(2024, 4, 3, 1, 0, tzinfo=UTC)


def fixture_records() -> list[dict]:
    """Two events, an exact copy, a wire copy with a new headline and byline, and an
    unrelated story: small enough to run without the shared data."""
    hour = timedelta(hours=1)
    rows = [
        ("q1", "Strong earthquake strikes Taiwan, buildings collapse", QUAKE, T0, "Wire"),
        ("q2", "Taiwan earthquake kills nine in Hualien", QUAKE_2, T0 + hour, "Daily"),
        ("q3", "Strong earthquake strikes Taiwan, buildings collapse", QUAKE, T0 + hour, "Echo"),
        ("q4", "Hualien quake: rescuers search", "By Staff. " + QUAKE, T0 + 2 * hour, "Post"),
        ("a1", "Apple reports record iPhone sales", EARNINGS, T0 + 3 * hour, "Tech"),
        ("a2", "iPhone sales lift Apple to record quarter", EARNINGS[:160], T0 + 4 * hour, "Biz"),
        ("f1", "Local team wins the cup final", "The home side won 2-1 after extra time.", T0, "X"),
    ]
    return [
        {
            "id": i,
            "title": t,
            "text": x,
            "published": p.isoformat(),
            "outlet": o,
            "url": f"https://{o.lower()}.example/{i}",
        }
        for i, t, x, p, o in rows
    ]
