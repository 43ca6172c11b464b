"""Evaluation and benchmarks: metrics, configuration comparison, speed. Not the product."""
