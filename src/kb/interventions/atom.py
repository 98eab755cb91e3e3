"""The change feed as Atom (RFC 4287), so courts and desks can follow the knowledge base in any
feed reader: one entry per revision, newest first, linking to the entry's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from kb.interventions.diffs import display_value
from kb.interventions.revisions import ChangeItem
from kb.vocabulary import REVISION_KIND_LABELS

__all__ = ["ATOM_MEDIA_TYPE", "FEED_PATH", "atom_feed"]

ATOM = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
FEED_PATH = "/wijzigingen.atom"
FEED_TITLE = "Kennisbank Scheiding & Kind: wijzigingen"


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def _content(item: ChangeItem) -> str:
    lines = [item.summary]
    for change in item.changes:
        lines.append(
            f"{change.field}: {display_value(change.field, change.old)} → "
            f"{display_value(change.field, change.new)}"
        )
    if item.note:
        lines.append(f"Toelichting: {item.note}")
    return "\n".join(lines)


def atom_feed(items: Sequence[ChangeItem], site_url: str, updated: dt.datetime) -> bytes:
    """The feed document for `items`; `updated` is when the knowledge base last changed.

    Ids are the entry's page with the revision as fragment: stable for as long as the site keeps
    its address, and unique per revision.
    """
    ET.register_namespace("", ATOM)
    base = site_url.rstrip("/")
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": "nl"})
    _add(feed, "id", f"{base}{FEED_PATH}")
    _add(feed, "title", FEED_TITLE)
    _add(
        feed,
        "subtitle",
        "Nieuwe items, gewijzigde beoordelingen en statussen, verlopen erkenningen.",
    )
    _add(feed, "updated", _stamp(updated))
    _add(feed, "link", rel="self", type=ATOM_MEDIA_TYPE, href=f"{base}{FEED_PATH}")
    _add(feed, "link", rel="alternate", type="text/html", href=f"{base}/interventies")
    _add(feed, "link", rel="related", type="application/json", href=f"{base}/api/v1/changes")
    author = _add(feed, "author")
    _add(author, "name", "Kennisbank Scheiding & Kind")
    for item in items:
        page = f"{base}/interventies/{item.slug}"
        entry = _add(feed, "entry")
        _add(entry, "id", f"{page}#revisie-{item.revision}")
        label = REVISION_KIND_LABELS.get(item.kind, item.kind)
        _add(entry, "title", f"{label}: {item.title}")
        _add(entry, "updated", _stamp(item.at))
        _add(entry, "published", _stamp(item.at))
        _add(entry, "link", rel="alternate", type="text/html", href=f"{page}#geschiedenis")
        _add(entry, "category", term=item.kind, label=label)
        for topic in item.topics:
            _add(entry, "category", term=topic)
        _add(entry, "summary", item.summary, type="text")
        _add(entry, "content", _content(item), type="text")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document
