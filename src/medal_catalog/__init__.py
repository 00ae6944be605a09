"""MEDAL catalog: the data catalog and FAIR metadata service of the MEDAL benchmark."""

__version__ = "0.1.0"

__all__ = ["__version__"]
