"""Indexer: read articles, clean, split into passages with offsets, embed, write to the store."""
