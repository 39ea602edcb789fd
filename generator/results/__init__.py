"""Scoring of stored inspections and the published results pages."""
