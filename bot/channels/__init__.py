"""Rasa input channels: REST (hardened), and the messaging platforms."""
