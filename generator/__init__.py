"""Customer-service supervision handbook: standards as YAML, site, checklists, forms, results."""

__version__ = "0.1.0"
