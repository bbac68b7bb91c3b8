"""partybuild-tui: a keyboard-first annotator for Vietnamese party-building news."""

__version__ = "0.1.0"
