"""Embedders and on-disk indexes."""
