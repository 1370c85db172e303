"""kbqa: answers questions from a Chinese expert FAQ, citing who said what.

The public surface is small: ``Engine`` (built from ``Settings``) and its ``ask()``.
Importing this package is cheap; heavy libraries load on first use.
"""
__version__ = "0.1.0"
