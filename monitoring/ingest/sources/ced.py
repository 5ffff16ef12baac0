"""CED (Song et al. 2018) Weibo cascades → mention items: each source post, then its reposts and comments.

The archive holds `original-microblog/<n>_<mid>_<uid>.json` (the source post, unix time) and
`{rumor,non-rumor}-repost/<same name>` (a list of `{mid, uid, parent, text, date}`; dates are China time,
a few only `MM月DD日 HH:MM`, taken in the source post's year). 87 source posts have Weibo's text date instead of
unix time and `"user": "empty"`; they load with their date and no follower count.
"""

import json
import re
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

CHINA = timezone(timedelta(hours=8))
_SHORT_DATE = re.compile(r"^(\d{1,2})月(\d{1,2})日 (\d{1,2}):(\d{2})$")
WEIBO_DATE = "%a %b %d %H:%M:%S %z %Y"
EMPTY_REPOST_TEXT = "转发微博"  # what Weibo itself shows for a repost without words


@dataclass(frozen=True)
class Cascade:
    name: str  # file name, e.g. 2089_AarEnwyeU_3009331235.json
    label: str  # "rumor" or "non-rumor"
    source: dict[str, Any]
    reposts: list[dict[str, Any]]

    @property
    def mid(self) -> str:
        return self.name.split("_")[1]

    @property
    def uid(self) -> str:
        return self.name.split("_")[2].removesuffix(".json")


def extract(archive: Path, into: Path) -> Path:
    """Unpack the archive once; returns the CED_Dataset folder."""
    root = into / "CED_Dataset"
    if not (root / "original-microblog").is_dir():
        into.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(into, filter="data")
    return root


def cascades(root: Path, *, labels: tuple[str, ...] = ("rumor", "non-rumor")) -> Iterator[Cascade]:
    for label in labels:
        folder = root / f"{label}-repost"
        for path in sorted(folder.glob("*.json")):
            if path.name.startswith("._"):
                continue
            source_path = root / "original-microblog" / path.name
            if not source_path.exists():
                continue
            yield Cascade(path.name, label, json.loads(source_path.read_text()), json.loads(path.read_text()))


def largest(root: Path, label: str = "rumor") -> Cascade:
    folder = root / f"{label}-repost"
    path = max((p for p in folder.glob("*.json") if not p.name.startswith("._")), key=lambda p: p.stat().st_size)
    return Cascade(
        path.name,
        label,
        json.loads((root / "original-microblog" / path.name).read_text()),
        json.loads(path.read_text()),
    )


def source_time(value: Any) -> datetime:
    """A source post's time: unix seconds (most), or Weibo's "Sat Jun 29 12:40:09 +0800 2013" (87 of them)."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(int(value), UTC)
    try:
        return datetime.strptime(str(value).strip(), WEIBO_DATE).astimezone(UTC)
    except ValueError:
        raise ValueError(f"Unreadable CED source time {value!r}") from None


def _repost_time(value: str, year: int) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError:
        match = _SHORT_DATE.match(value.strip())
        if not match:
            return None
        month, day, hour, minute = (int(g) for g in match.groups())
        return datetime(year, month, day, hour, minute, tzinfo=CHINA)


def items(cascade: Cascade, *, max_reposts: int | None = None) -> list[dict[str, Any]]:
    """The cascade as ingest items in time order; the source post first."""
    source = cascade.source
    # 87 source posts carry "user": "empty" instead of an object, and Weibo's text date for a time.
    user = source["user"] if isinstance(source.get("user"), dict) else {}
    published = source_time(source["time"])
    head = {
        "platform": "weibo",
        "external_id": cascade.mid,
        "url": f"https://weibo.com/{cascade.uid}/{cascade.mid}",
        "text": source.get("text") or "",
        "published_at": published.isoformat(),
        "author": {
            "external_id": cascade.uid,
            "name": "",
            "followers": int(user.get("followers") or 0),
            "verified": bool(user.get("verified")),
        },
        "metrics": {
            "likes": int(source.get("likes") or 0),
            "reposts": int(source.get("reposts") or 0),
            "comments": int(source.get("comments") or 0),
        },
        "dataset": {"name": "CED", "label": cascade.label},
    }
    replies: list[tuple[datetime, dict[str, Any]]] = []
    for repost in cascade.reposts:
        when = _repost_time(str(repost.get("date", "")), published.astimezone(CHINA).year)
        if when is None or not repost.get("mid"):
            continue
        replies.append(
            (
                when,
                {
                    "platform": "weibo",
                    "external_id": str(repost["mid"]),
                    "text": (repost.get("text") or "").strip() or EMPTY_REPOST_TEXT,
                    "published_at": when.isoformat(),
                    "author": {"external_id": str(repost.get("uid") or ""), "name": ""},
                    "parent_external_id": str(repost.get("parent") or cascade.mid),
                    "relation": "repost",
                    "root_external_id": cascade.mid,
                    "dataset": {"name": "CED", "label": cascade.label, "cascade": cascade.mid},
                },
            )
        )
    replies.sort(key=lambda pair: pair[0])
    if max_reposts is not None:
        replies = replies[:max_reposts]
    return [head, *(item for _, item in replies)]
