"""Chumchon benchmarks: ``python -m bench`` (see bench/README.md).

Every figure is printed beside a baseline measured on the same machine in the same run, and as
a ratio to it; nothing here asserts a speed.
"""
