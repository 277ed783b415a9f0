"""The embedded store after a process dies mid-write: nothing accepted is lost, indexes catch up."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from search.analysis import analyze_query
from search.store.embedded import EmbeddedStore
from tests.conftest import REPO

WRITER = textwrap.dedent(
    """
    import os, sys
    import numpy as np
    from pathlib import Path
    from search.articles import Article
    from search.passages import passage_document
    from search.store.embedded import EmbeddedStore
    from search.store.protocol import IndexedArticle

    store = EmbeddedStore(Path(sys.argv[1]), dim=4)
    for number in range(3):
        article = Article(id=f"a{number}", title=f"Report {number}", body=f"Crash test {number}.")
        passage = passage_document(article, 0, 0, len(article.body))
        vector = np.eye(4, dtype=np.float32)[number : number + 1]
        store.write_articles([IndexedArticle(article, [passage], vector)])
    os._exit(9)  # die without flushing the vector index or releasing anything
    """
)


def test_a_writer_killed_before_flushing_loses_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "embedded"
    completed = subprocess.run(
        [sys.executable, "-c", WRITER, str(directory)], cwd=REPO, capture_output=True, timeout=120
    )
    assert completed.returncode == 9, completed.stderr.decode()
    assert not (directory / "vectors.usearch").exists()  # the crash came before any save

    store = EmbeddedStore(directory, dim=4)
    assert store.counts().articles == 3
    nearest = store.dense_search(np.array([0, 0, 1, 0], dtype=np.float32), top_k=3)
    assert nearest[0].meta["article_id"] == "a2"
    assert len(store.bm25_search(analyze_query("crash test"), top_k=10)) == 3
    store.close()
    assert (directory / "vectors.usearch").exists()
