"""Texts and readers the story-engine tests share: three short articles (two on one
earthquake, one unrelated), BASIL as batch records, and a JSON Lines writer."""

import json
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
