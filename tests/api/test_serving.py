"""How a server runs its settings."""

from api.serving import SERVER_QUERY_BATCH, serving
from search.settings import EmbeddingSettings, Settings


def test_a_server_embeds_each_question_on_one_thread_unless_configured() -> None:
    assert serving(Settings()).embedding.threads == 1
    configured = Settings(embedding=EmbeddingSettings(threads=2))
    assert serving(configured).embedding.threads == 2


def test_a_server_lets_concurrent_questions_share_model_calls_unless_configured() -> None:
    assert serving(Settings()).embedding.query_batch == SERVER_QUERY_BATCH == 8
    configured = Settings(embedding=EmbeddingSettings(query_batch=1))
    assert serving(configured).embedding.query_batch == 1
    assert serving(configured).embedding.threads == 1
