"""The package's version, in a leaf module anything may import."""

__version__ = "0.1.0"
