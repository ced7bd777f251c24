"""The exception for a file or a folder Funnel won't take: a refusal (funnel.lib.refusals), whose
message names the problem (and the line, when there is one) in words for the user. Nothing was
written."""

from funnel.lib.refusals import Refused


class TransferError(Refused):
    def __init__(self, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
