"""Nudges (skeleton: filled in by the guidance-and-nudges issue)."""
