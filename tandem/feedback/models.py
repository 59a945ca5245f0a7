"""Feedback (skeleton: filled in by the workspace issue)."""
