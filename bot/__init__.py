"""Werkwijzer: a multilingual Rasa assistant about work for refugees in the Netherlands."""

__version__ = "0.1.0"
