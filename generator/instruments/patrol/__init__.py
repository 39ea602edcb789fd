"""Placeholder until the instrument classes land."""
