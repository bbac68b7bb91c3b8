"""Errors a user can cause and fix; the CLI prints them as one line, never a traceback."""


class UserError(Exception):
    """A problem with the user's input, files or database, with a message that says what to do."""
