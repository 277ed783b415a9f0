"""HTML article pages: trafilatura finds the story and its metadata among the boilerplate.

Nothing here touches the network: trafilatura and htmldate only read the markup they are given.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import trafilatura

from indexer.cleaning import clean_line, clean_text
from indexer.readers.base import ReadResult, Rejection, from_record
from indexer.readers.markup import page_language
from search.errors import InvalidArticleError

# Fewer words than this is a navigation shell, a paywall stub or an error page, not a story.
MIN_WORDS = 20
# Only dates the page declares (meta tags, JSON-LD, <time>): htmldate's extensive search guesses
# from any date in the text, and a wrong date is worse than none. Keep the time and the offset.
_DATE_PARAMS = {
    "original_date": True,
    "extensive_search": False,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


def _body(text: str, title: str | None) -> str:
    """trafilatura writes one block element per line; the index wants blank-line paragraphs."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The headline usually opens the main text; the title already carries it.
    if lines and title and clean_line(lines[0]).casefold() == clean_line(title).casefold():
        lines = lines[1:]
    return clean_text("\n\n".join(lines))


def _published(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        return None  # htmldate found something date-like that is not a date: leave it out


def page_record(
    page: bytes | str, *, url: str | None = None, published_fallback: str | None = None
) -> dict[str, object]:
    """The article record of one HTML page; ``url`` overrides the page's own (WARC target URI).

    Raises InvalidArticleError when the page holds no article text.
    """
    tree = trafilatura.load_html(page)
    if tree is None:
        raise InvalidArticleError("not an HTML page trafilatura can parse")
    # Read before extraction: trafilatura prunes the tree it is given.
    language = page_language(tree)
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        favor_precision=True,  # on a page with no story, recall would pick up menus and footers
        date_extraction_params=dict(_DATE_PARAMS),
    )
    text = document.text if document is not None else None
    if not text:
        raise InvalidArticleError("no article text: trafilatura found no main text on the page")
    body = _body(text, document.title)
    words = len(body.split())
    if words < MIN_WORDS:
        raise InvalidArticleError(
            f"no article text: only {words} words of main text (fewer than {MIN_WORDS})"
        )
    return {
        "title": document.title,
        "outlet": document.sitename,
        "url": url or document.url,
        "published_at": _published(document.date) or published_fallback,
        "author": document.author,
        "language": language,
        "body": body,
    }


def read_html(page: bytes, source: str) -> Iterator[ReadResult]:
    try:
        record = page_record(page)
    except InvalidArticleError as error:
        yield Rejection(source, None, str(error))
        return
    yield from_record(record, source, None)
