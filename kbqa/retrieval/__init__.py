"""Retrieval stage: lexical and dense channels, query expansion, fusion into ranked units."""
