"""summitwatch: settings (`config`) and the command line (`cli`)."""

from summitwatch.config import __version__

__all__ = ["__version__"]
