"""Dashboard for steering groups of Swedish public-sector collaboration agreements."""

__version__ = "0.1.0"
