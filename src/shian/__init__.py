"""ShiAn (食安): food-safety governance platform."""

__version__ = "0.1.0"
