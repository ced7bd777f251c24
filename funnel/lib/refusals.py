"""The one exception a write raises when it will not do what was asked: the rules say no, or a
double click or another tab got there first. Nothing was written; the message says why, in
words for the user, and views show it."""


class Refused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
