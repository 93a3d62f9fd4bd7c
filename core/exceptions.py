"""The root of every domain error: interfaces translate these into messages and HTTP codes."""


class DomainError(Exception):
    """A business rule refused an action.

    ``code`` is a stable upper-case identifier (``INVALID_ID_NUMBER``) that API clients and
    tests rely on; ``message`` is the human sentence, already translated where it is shown.
    """

    code = "DOMAIN_ERROR"

    def __init__(self, message: str = "", *, code: str | None = None, field: str | None = None):
        super().__init__(message or self.code)
        self.message = message or self.code
        if code is not None:
            self.code = code
        self.field = field
