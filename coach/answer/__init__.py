"""Answer: hybrid, audience-filtered retrieval, then a cited answer (offline quotes or an LLM)."""

from coach.answer.answerer import Answer, Answerer, AnswerStream
from coach.answer.retrieve import Source

__all__ = ["Answer", "AnswerStream", "Answerer", "Source"]
