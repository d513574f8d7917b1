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


class LLMReplyError(CoachError):
    """A reply that came, but is no answer: empty, or past the token limit."""


class AccessError(CoachError):
    """The signed-in user may not do this (a wider audience, or the HR desk without role hr)."""


class NotReadyError(CoachError):
    """The knowledge base is still being prepared (model loading, first indexing)."""


class NotYoursError(CoachError):
    """A page's state read on behalf of someone other than the user it belongs to."""


class DeskError(DocumentError):
    """An upload or delete that was refused; the message says why in plain words."""


class StoreUnavailableError(StoreError):
    """Chroma does not answer (a server stopped or restarting): worth trying again shortly."""


def one_line(exc: BaseException) -> str:
    """An exception's message as its first non-empty line, at most 300 characters."""
    text = str(exc)[:4096].strip() or type(exc).__name__
    return bounded(text.splitlines()[0])


def bounded(text: str, limit: int = 300) -> str:
    """One line of at most `limit` characters: a reason a person can read, whatever caused it."""
    squashed = " ".join(text[: limit * 4].split())  # cut first: a reason may be gigabytes
    return squashed if len(squashed) <= limit else squashed[: limit - 1].rstrip() + "…"
