"""Measuring and checking tools: evaluation, quality, cross-validation, benchmark, audit."""
