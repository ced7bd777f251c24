"""The one exception the way in and out raises for a file or a folder it will not take: the
message names the problem (and the line, when there is one) in words for the user. Nothing was
written."""


class TransferError(Exception):
    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
