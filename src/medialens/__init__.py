"""medialens: reproducible media analysis of news corpora (term frequencies, topics, stance)."""

__version__ = "0.1.0"
