"""The Textual annotator (``partybuild annotate``)."""
