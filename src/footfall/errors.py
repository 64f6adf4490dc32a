"""The one exception type for bad requests and bad settings (STYLE habit 5)."""


class BadRequest(Exception):
    """A request or setting the user got wrong; `message` is the plain sentence they see."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
