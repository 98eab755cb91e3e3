"""Relevance harness and benchmark for the knowledge base's search (`make relevance`, `make bench`).

Not part of the installed `kb` package: these modules run from the repository root
(`python -m bench.relevance`, `python -m bench.run`) and write their figures to `bench/results/`.
"""
