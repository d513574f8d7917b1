"""The small error tree; caught only at the CLI/UI top level and shown as one line."""


class CoachError(Exception):
    """Base of every error coach reports to a user."""


class ConfigError(CoachError):
    """A setting or command-line option is unusable."""


class CareerError(CoachError):
    """A plan or map was asked for something the ladder does not have (a role, a plan type)."""


class DocumentError(CoachError):
    """One knowledge document cannot be read; the message is its one-line reason."""


class IndexBusyError(CoachError):
    """Another process is syncing the same data folder right now."""


class StoreError(CoachError):
    """The vector store cannot be opened, reached or written."""


def one_line(exc: BaseException) -> str:
    """An exception's message as its first non-empty line, at most 300 characters."""
    text = str(exc)[:4096].strip() or type(exc).__name__
    return bounded(text.splitlines()[0])


def bounded(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters: a reason a person can read, whatever caused it."""
    squashed = " ".join(text[: limit * 4].split())  # cut first: a reason may be gigabytes
    return squashed if len(squashed) <= limit else squashed[: limit - 1].rstrip() + "…"
