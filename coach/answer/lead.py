"""The lead passage as quoted: the whole passage, or its best parts, and what is read first."""

from __future__ import annotations

from collections.abc import Callable

from coach.answer.blocks import Block, label_of, plain, with_item_cut, word_count
from coach.answer.parts import Scored, Unit
from coach.answer.question import AnswerKind

LEAD_WORDS = 130  # a lead passage longer than this is quoted by its best parts
SIDE_WORDS = 100  # the same for each side of a comparison: both are read before the rest
# A best part with more words than this before it in its passage is quoted first: a reader
# judges an answer by its first lines (the asked fact within the first 60 words).
KEY_AFTER = 30
# ... unless a part already there scores within this of it: then the passage reads as written.
KEY_MARGIN = 0.05
SECOND_SPAN = 0.2  # the next best part's block follows the best part's when this close
CUT_SPAN = 0.1  # a long list item this close to the best part is cut rather than left out
EARLIER_STEPS = "Earlier steps:"  # heads the named steps read after the one that answers


def lead_passage(
    blocks: list[Block],
    ranked: list[Scored],
    budget: int = LEAD_WORDS,
    kind: AnswerKind | None = None,
    fits: Callable[[Scored], bool] = lambda scored: False,
) -> list[str]:
    """The whole passage when it fits the word budget, else its best parts in their order;
    the best part first when the passage would bury it (the one holding the asked kind of
    answer, or a range that `fits` the asker's figure), the next best block after it."""
    whole = [b.render() for b in blocks]
    chosen: dict[int, set[int]] = {}
    if sum(word_count("\n".join(lines)) for lines in whole) <= budget:
        chosen = {i: set(range(len(b.parts))) for i, b in enumerate(blocks)}
    blocks = list(blocks)  # a long item may be cut below: the caller's blocks stay whole
    words = 0
    for scored in ranked if not chosen else ():
        unit = scored.unit
        block = blocks[unit.block]
        context = 0 if unit.block in chosen else word_count(block.context)
        cost = word_count(unit.text) + context
        if chosen and words + cost > budget:
            # A long step answering nearly as well as the best is quoted by its first sentences,
            # not left out: "3. In advance, the team member writes up a self-assessment ... …".
            if not scored.embedded or scored.score < ranked[0].score - CUT_SPAN:
                continue
            cut = with_item_cut(block, unit.part, budget - words - context)
            if cut is None:
                continue
            blocks[unit.block] = cut
            cost = word_count(cut.parts[unit.part]) + context
        chosen.setdefault(unit.block, set()).add(unit.part)
        words += cost
    embedded = [s for s in ranked if s.embedded]
    read_first = [
        s
        for s in embedded
        if s.unit.part in chosen.get(s.unit.block, ())
        and _words_before(blocks, chosen, s.unit) <= KEY_AFTER
    ]
    key = embedded[0] if embedded else None
    fitting = next((s for s in embedded if fits(s)), None)
    if fitting is not None and not any(fits(s) for s in read_first):
        # "I resign 8 months later": the tier holding the asker's figure is read first.
        key = fitting
        margin = -1.0
    elif kind is not None and not any(kind.held_by(plain(s.unit.text)) for s in read_first):
        # "How many accounts?", "when?": the best part holding a figure or date is read first.
        key = next((s for s in embedded if kind.held_by(plain(s.unit.text))), key)
        margin = -1.0
    else:
        margin = KEY_MARGIN
    if key is None:
        return _join([blocks[b].render(parts) for b, parts in sorted(chosen.items())])
    buried = _words_before(blocks, chosen, key.unit) > KEY_AFTER
    moved = buried and key.score - max((s.score for s in read_first), default=0.0) > margin
    earlier: set[int] = set()
    if moved and _named_steps(blocks[key.unit.block]):
        earlier = _steps_before_the_answer(chosen, key, embedded)
    # The next best part, when it answers nearly as well and the passage would bury it, is read
    # right after the best one ("...with at least 70% of your book" in the fifth bullet).
    runner_up = next(
        (
            s
            for s in embedded
            if s is not key
            and s.unit.part in chosen.get(s.unit.block, ())
            # A paragraph's sentences and a list's steps keep their order ("This means..."
            # follows what it means); a bulleted list's items stand alone.
            and (s.unit.block != key.unit.block or _loose(blocks[key.unit.block]))
            and s.score >= key.score - SECOND_SPAN
            and _words_before(blocks, chosen, s.unit) > KEY_AFTER
        ),
        None,
    )
    # The best part is read first when the passage buries it, and so is it (already among the
    # first lines) when the next best part's block is brought forward behind it.
    keys = [key.unit] if moved or (not buried and runner_up is not None) else []
    if keys and runner_up is not None:
        keys.append(runner_up.unit)
    # What answers is read first; the rest of the passage follows, without it.
    first = _keys_first(blocks, chosen, keys)
    if earlier:
        # Approvals add up: the manager's step still applies when Finance's is the one asked.
        # A line between the lists, so Markdown does not number them on from the steps above.
        steps = blocks[key.unit.block]
        first.append([EARLIER_STEPS, *steps.render(earlier)[len(steps.head) :]])
    return _join([*first, *(blocks[b].render(parts) for b, parts in sorted(chosen.items()))])


def _keys_first(
    blocks: list[Block], chosen: dict[int, set[int]], keys: list[Unit]
) -> list[list[str]]:
    """The blocks of these parts (each in a block of its own), in this order, taken out of
    `chosen`; a key the word budget left out is quoted all the same."""
    groups = []
    for unit in keys:
        block = blocks[unit.block]
        if unit is not keys[0] and unit.block == keys[0].block:
            continue  # read right after the best part, inside its block
        parts = chosen.pop(unit.block, set()) | {unit.part}
        if block.ordered or unit is not keys[0]:
            # Steps keep their order, and so does the next best part's block: it is read whole.
            groups.append(block.render(parts))
            continue
        # The best part first (with a bullet's runner-up after it), its lead-in said once
        # before them, the block's other parts after.
        front = [key.part for key in keys if key.block == unit.block]
        lines = list(block.head)
        for shown in [*({part} for part in front), parts - set(front)]:
            lines += block.render(shown)[len(block.head) :]
        groups.append(lines)
    return groups


def _steps_before_the_answer(
    chosen: dict[int, set[int]], key: Scored, embedded: list[Scored]
) -> set[int]:
    """The steps before the first that answers (the key, or its list's best step), taken out
    to be read after it: "4. **Finance.** approval above EUR 1,000" first, then steps 1-3, all
    of them, even past the word budget: a request needs every approval up to the asked one."""
    block = key.unit.block
    best = next(s for s in embedded if s.unit.block == block)  # ranked: its list's best step
    earlier = set(range(min(key.unit.part, best.unit.part)))
    chosen[block] = chosen.get(block, set()) - earlier
    return earlier


def _named_steps(block: Block) -> bool:
    """Numbered steps each named by a label ("2. **Manager.**", "4. **Finance.**"): each stands
    alone. Unnamed ones may be conditions that all hold ("1. You're the assigned CSM...")."""
    return block.ordered and all(label_of(part) for part in block.parts)


def _loose(block: Block) -> bool:
    """A bulleted list: each item stands alone, so a later one may be read first."""
    return block.kind == "list" and not block.ordered


def _words_before(blocks: list[Block], chosen: dict[int, set[int]], unit: Unit) -> int:
    """How many words of the quoted passage come before this part."""
    before = [blocks[b].render(parts) for b, parts in sorted(chosen.items()) if b < unit.block]
    earlier = {p for p in chosen.get(unit.block, set()) if p < unit.part}
    before.append(blocks[unit.block].render(earlier) if earlier else list(blocks[unit.block].head))
    return sum(word_count("\n".join(lines)) for lines in before)


def _join(rendered: list[list[str]]) -> list[str]:
    lines: list[str] = []
    for block_lines in rendered:
        if block_lines:
            lines += [*block_lines, ""]
    return lines[:-1]
