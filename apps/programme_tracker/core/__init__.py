"""Shared building blocks: the concurrent-edit guard and history helpers used by every module."""
