"""footfall: a people counter for overhead cameras with an AXIS People Counter compatible API."""

__version__ = "0.1.0"
