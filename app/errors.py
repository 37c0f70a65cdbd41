"""The one user-facing error: an action that cannot go ahead for a reason the person should read.

Services raise a `UserError` (or a feature's subclass) with a Dutch message that is shown as is;
`status` is the HTTP status of a page that answers with it: 400 by default, 409 when the action
conflicts with what happened meanwhile (a decision already taken, a reply arrived in between),
429 when a limit was hit. Views catch it, show the message and use the status; they never build
the text themselves.
"""


class UserError(Exception):
    status = 400

    def __init__(self, message, status=None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self):
        return self.message


class ConflictError(UserError):
    """The action conflicts with what happened meanwhile (409)."""

    status = 409


class LimitError(UserError):
    """A limit was hit; the person may try again later (429)."""

    status = 429
