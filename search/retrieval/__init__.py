"""The retrieval path as Haystack components, assembled into one Pipeline in ``pipeline.py``:

query (QueryReader) ─┬─> bm25 (BM25Leg) ───┐
                     ├─> dense (DenseLeg) ─┴─> fusion (HybridFusion) ─> passages (PassageReader)
                     │                                                        │
                     ├──────────> second_stage (SecondStage)
                     └──────────────────> stories (StoryHits) ─> hits + documents
"""
