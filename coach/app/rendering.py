"""How answers, their sources and problems read on the page: Markdown for Gradio to show."""

from __future__ import annotations

from coach.answer.answerer import Answer
from coach.answer.blocks import plain
from coach.answer.citations import link_citations
from coach.answer.retrieve import LIST_MARK, Source

MIN_MARKED = 20  # characters: a shorter line ("Yes.") says too little to be marked as quoted
ANSWER_START_JS = """
(chat) => {
  // After the chat's own scroll to the bottom, which runs once the answer has rendered.
  setTimeout(() => {
    const answers = document.querySelectorAll("#chat [data-testid=bot]");
    if (answers.length) answers[answers.length - 1].scrollIntoView({ block: "start" });
  }, 1000);
  return chat;
}
"""


def render_answer(answer: Answer) -> str:
    """An answer as the chat shows it: text with clickable citations, the sources it cites, and
    how it was made."""
    parts = [linked_citations(answer.text, {s.n for s in answer.sources})]
    if answer.sources:
        listed = "\n".join(f"- {linked_citations(s.cite(), {s.n})}" for s in answer.cited_sources)
        parts.append(f"**Sources** (passages in the panel on the right)\n\n{listed}")
    mode = "LLM mode" if answer.mode == "llm" else "Offline mode"
    if answer.refused:  # nothing was quoted or written from a document
        mode += ": nothing was quoted"
    elif answer.mode == "llm":
        mode += ": written by the model from the sources"
    else:
        mode += ": quoted from the documents"
    parts.append(f"*{mode}.*" + (f"  \n*Note: {answer.notice}.*" if answer.notice else ""))
    return "\n\n".join(parts)


def linked_citations(text: str, valid: set[int], anchor: str = "source") -> str:
    """Each cited number as a link to its source in the side panel (the page's script scrolls
    there): `[1][2]` and `[2, 3]` alike."""
    return link_citations(
        text, valid, lambda n: f'<a href="#{anchor}-{n}" class="cite">[{n}]</a>'
    )


def render_passages(
    sources: list[Source], question: str = "", answer: str = "", anchor: str = "source"
) -> str:
    """Each source behind one answer (or plan): which answer, then title, heading, path,
    snippet, and the whole passage with the lines the answer quotes marked."""
    if not sources:
        return "*This answer has no sources.*"
    said = " ".join(plain(answer).split()) if answer else ""
    head = f"*Sources of the answer to: {' '.join(question.split())[:120]}*\n\n" if question else ""
    return head + "\n\n".join(
        f'<span id="{anchor}-{s.n}"></span>\n\n**[{s.n}] {s.label}**  \n`{s.path}`\n\n{s.snippet}'
        f"\n\n<details><summary>Read the whole passage</summary>\n\n{_marked(s.text, said)}"
        "\n\n</details>"
        for s in sources
    )


def _marked(text: str, said: str) -> str:
    """The passage with each line the answer quotes word for word wrapped in <mark>."""
    if not said:
        return text
    lines = []
    for line in text.split("\n"):
        words = " ".join(plain(line).split())
        if len(words) >= MIN_MARKED and words in said and not line.lstrip().startswith("|"):
            mark = LIST_MARK.match(line)
            lead = mark.group(0) if mark else ""
            line = f"{lead}<mark>{line[len(lead) :]}</mark>"
        lines.append(line)
    return "\n".join(lines)


def api_text(answer: Answer) -> str:
    """What the /chat API returns: the answer, then its sources, one per line."""
    if not answer.sources:
        return answer.text
    listed = "\n".join(s.cite() for s in answer.sources)
    return f"{answer.text}\n\nSources:\n{listed}"
