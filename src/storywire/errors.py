"""One exception tree for storywire.

    StorywireError
    ├── ConfigError      a setting or config file is invalid
    ├── FetchError       HTTP failure fetching a feed or page (status, timeout, size)
    ├── ParseError       bytes that are not a usable feed, OPML file or input line
    ├── ExtractError     an article page with no extractable main text
    ├── StoreError       the database refused an operation or is not usable
    └── WriterError      a story could not be written (e.g. no usable sentences)

Every error carries a message meant for the user: the CLI prints it without a
traceback, the feed status stores it, the web API returns it as the reason.
"""

from __future__ import annotations


class StorywireError(Exception):
    """Base class of every error storywire raises on purpose."""


class ConfigError(StorywireError):
    pass


class FetchError(StorywireError):
    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class ParseError(StorywireError):
    pass


class ExtractError(StorywireError):
    pass


class StoreError(StorywireError):
    pass


class WriterError(StorywireError):
    pass
