"""Text as it is produced, then the finished result: iterate for the text, read `.result` after."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class TextStream(Generic[T]):
    """Wraps a generator that yields text and returns the finished result (like simonw/llm's
    Response): `for text in stream` shows it as it comes; `stream.result` waits for the end."""

    def __init__(self, produce: Generator[str, None, T]) -> None:
        self._produce = produce
        self._result: T | None = None
        self._done = False

    def __iter__(self) -> Iterator[str]:
        if self._done:
            return
        self._result = yield from self._produce
        self._done = True

    @property
    def result(self) -> T:
        """The finished result; reading it first consumes whatever text is left."""
        for _ in self:
            pass
        assert self._done and self._result is not None, "the stream ended without a result"
        return self._result
