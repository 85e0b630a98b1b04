"""Atom feeds of newly published practices (RFC 4287)."""
from __future__ import annotations

import re
from xml.etree import ElementTree as ET

from flask import url_for

from network.practices.models import Practice
from network.sanitize import plain_text
from network.types import utcnow

ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 cannot carry at all (people's text may hold them): dropped from the feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value or "")


def atom_feed(title: str, self_url: str, practices: list[Practice]) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _text(title)
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_url
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=self_url, type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=url_for("practices.index", _external=True))
    updated = max((p.published_at for p in practices if p.published_at), default=utcnow())
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat()
    for practice in practices:
        link = url_for("practices.show", practice_id=practice.id, _external=True)
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = _text(practice.title)
        ET.SubElement(entry, f"{{{ATOM}}}id").text = link
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=link)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = practice.published_at.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = practice.updated_at.isoformat()
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = _text(practice.institution.name)
        summary = ET.SubElement(entry, f"{{{ATOM}}}summary", type="text")
        summary.text = _text(plain_text(practice.summary))
        summary.set("{http://www.w3.org/XML/1998/namespace}lang", practice.language)
        for tag in practice.tag_names:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=_text(tag))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
