"""HTML fragments to text with paragraph breaks kept, and a page's declared language."""

from __future__ import annotations

import re

from lxml import etree, html

from indexer.cleaning import clean_text
from indexer.readers.base import primary_language

# Elements whose text is never article text (feedparser's sanitiser already drops most of them;
# figures are dropped because trafilatura drops them from pages too, so both readers agree).
_DROP = ("script", "style", "noscript", "template", "iframe", "object", "svg", "form", "figure")
_BLOCKS = frozenset(
    """p div section article header footer aside blockquote pre ul ol li dl dt dd table tr
    h1 h2 h3 h4 h5 h6 hr address main nav""".split()
)
_SPACE = re.compile(r"\s+")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _collapse_space(element: html.HtmlElement) -> None:
    """Line breaks in HTML source are just spaces, except inside <pre>."""
    if element.tag != "pre" and next(element.iterancestors("pre"), None) is None:
        element.text = _SPACE.sub(" ", element.text) if element.text else element.text
    if element.tail:
        element.tail = _SPACE.sub(" ", element.tail)


def html_to_text(markup: str) -> str:
    """Feed content is the publisher's own article HTML: no boilerplate to remove, only tags.

    Block elements become paragraph breaks and ``<br>`` a line break, so passages and highlights
    can still see where paragraphs end.
    """
    if not markup.strip():
        return ""
    try:
        root = html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP) + "|//comment()"):
        element.drop_tree()
    for element in root.iter(etree.Element):
        _collapse_space(element)
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag in _BLOCKS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
    return clean_text(root.text_content())


def page_language(tree: html.HtmlElement) -> str | None:
    """The language the page declares: <html lang>, xml:lang, Content-Language, og:locale."""
    root = tree.getroottree().getroot()
    candidates = [root.get("lang"), root.get(_XML_LANG)]
    for meta in root.iter("meta"):
        key = (meta.get("http-equiv") or meta.get("name") or meta.get("property") or "").lower()
        if key in ("content-language", "language", "dc.language", "og:locale"):
            candidates.append(meta.get("content"))
    for candidate in candidates:
        language = primary_language(candidate)
        if language:
            return language
    return None
