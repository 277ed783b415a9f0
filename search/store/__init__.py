"""Passage stores: one protocol, an embedded backend and an Elasticsearch backend."""
