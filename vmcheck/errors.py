"""The one exception type meant for users.

The CLI prints its message as a single line and exits with code 2; anything
else that escapes is a bug.
"""


class VmcheckError(Exception):
    """A problem with the user's input, configuration or environment."""

    def __init__(self, message: str, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)
