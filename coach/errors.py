"""The small error tree; caught only at the CLI/UI top level and shown as one line."""


class CoachError(Exception):
    """Base of every error coach reports to a user."""


class ConfigError(CoachError):
    """A setting or command-line option is unusable."""


class DocumentError(CoachError):
    """One knowledge document cannot be read; the message is its one-line reason."""


class IndexBusyError(CoachError):
    """Another process is syncing the same data folder right now."""


class StoreError(CoachError):
    """The vector store cannot be opened, reached or written."""


def one_line(exc: BaseException) -> str:
    """Squash an exception's message to its first non-empty line."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0].strip()
