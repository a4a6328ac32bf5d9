"""Tracker, lock and shared-state stores."""
