"""Conversations (skeleton: filled in by the workspace issue)."""
