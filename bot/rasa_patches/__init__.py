"""Replacements of Rasa 3.6 internals, one module each."""
