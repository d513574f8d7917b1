"""Each scoring rule on its own, without an embedding model; the tables pinned."""

from __future__ import annotations

from coach.answer.answerability import Asked, Lookup
from coach.answer.blocks import blocks_of
from coach.answer.lead import LEAD_WORDS
from coach.answer.parts import Part, parts_of, units_of
from coach.answer.question import AnswerKind, Question, Wants, parse
from coach.answer.retrieve import Source
from coach.answer.rules import (
    LEAD_RULES,
    PART_RULES,
    at_the_asked_level,
    figure_fits,
    heading_is_asked_about,
    heading_names_asked_thing,
    holds_answer_kind,
    in_requirements_section,
    label_names_asked_thing,
    names_the_asked_item,
    on_another_roles_page,
    on_focus_page,
    on_the_named_ladder,
    passage_holds_answer_kind,
    path_passage,
    rare_words_said,
    requirements_passage,
    same_numbered_item,
    says_terms,
    says_terms_in_context,
    says_what_is_required,
    states_a_path,
)


def _source(
    text: str, heading: str = "Budget", path: str = "learning.md", placed: dict | None = None
) -> Source:
    return Source(1, "c1", path, "Learning", heading, text, 0.1, 0.5, metadata=placed or {})


def _part(
    text: str, heading: str = "Budget", path: str = "learning.md", placed: dict | None = None
) -> Part:
    source = _source(text, heading, path, placed)
    [part] = parts_of(units_of(source, blocks_of(text)))
    return part


def test_the_rule_tables_are_pinned():
    # A change of name or weight here is a change of every answer: run the golden sets.
    assert [(rule.name, rule.weight) for rule in PART_RULES] == [
        ("says the question's words", 0.3),
        ("... with its heading and lead-in", 0.1),
        ("on the asker's own role page", 0.2),
        ("in a who-qualifies section", 0.1),
        ("says what is required", 0.1),
        ("states a way in", 0.1),
        ("names the same numbered item", 0.15),
        ("a figure fits a range or tier", 0.15),
        ("holds the kind of answer asked", 0.08),
        ("at the level asked about", 0.15),
        ("on another role's page", 0.15),
        ("on the ladder named", 0.1),
        ("its label names what is asked", 0.08),
    ]
    assert [(rule.name, rule.weight) for rule in LEAD_RULES] == [
        ("says a rare asked-about word", 0.4),
        ("its heading names what is asked for", 0.15),
        ("the question says its heading", 0.1),
        ("names the numbered item asked", 0.1),
        ("a range holds the asker's figure", 0.15),
        ("gives the asked-for thing a figure", 0.15),
        ("holds the exact kind of answer asked", 0.15),
        ("a who-qualifies passage", 0.25),
        ("a passage naming a way in", 0.25),
    ]


def test_word_overlap_is_weighted_by_rarity_and_counts_the_heading_apart():
    question = parse("How big is the learning budget?").measured(
        Lookup(weights={"learn": 3.0, "budget": 1.0, "big": 1.0})
    )
    part = _part("Each CSM gets a yearly budget.", heading="Learning")
    # "budget" (1) of learn 3 + budget 1 + big 1 + how 1 (a word with no weight counts 1)
    assert says_terms(question, part) == 1.0 / 6.0
    assert says_terms_in_context(question, part) == 4.0 / 6.0  # and "learning" in the heading


def test_the_askers_own_page_counts_only_when_it_is_focused():
    part = _part("Own your book of business.", path="ladder/csm-2.md")
    question = parse("What should I do next?")
    assert on_focus_page(question, part) == 0.0
    assert on_focus_page(question.focused("ladder/csm-2.md"), part) == 1.0
    assert on_focus_page(question.focused("ladder/csm-1.md"), part) == 0.0


def test_a_who_qualifies_section_counts_for_a_requirements_question_only():
    part = _part("Twelve months in role.", heading="Eligibility")
    assert in_requirements_section(parse("Who can apply for a rotation?"), part) == 1.0
    assert in_requirements_section(parse("How long is the rotation?"), part) == 0.0
    assert in_requirements_section(parse("Who can apply?"), _part("Apply in May.")) == 0.0


def test_a_part_saying_what_is_required_counts_for_a_requirements_question():
    question = parse("Before I speak at a conference, is there a training I have to take?")
    assert question.asks(Wants.REQUIREMENT)
    required = _part("Speaker Training - 35 minutes, requirement for external speakers.")
    assert says_what_is_required(question, required) == 1.0
    assert says_what_is_required(question, _part("We encourage people to be speakers.")) == 0.0
    assert says_what_is_required(parse("When is the conference?"), required) == 0.0
    # A who-qualifies section counts once, by its own rule.
    listed = _part("A license is required.", heading="Requirements")
    assert says_what_is_required(question, listed) == 0.0


def test_a_numbered_item_counts_for_its_own_number_and_against_its_neighbours():
    question = parse("What does CCSM Level 2 cost?")
    assert same_numbered_item(question, _part("The CCSM Level 2 exam costs EUR 900.")) == 1.0
    assert same_numbered_item(question, _part("The CCSM Level 3 exam costs EUR 1,300.")) == -1.0
    assert same_numbered_item(question, _part("Exams are booked in Workday.")) == 0.0
    assert same_numbered_item(parse("What does CCSM cost?"), _part("CCSM Level 3 costs more.")) == 0
    # A table row names its item under the column's name: "| 2 | EUR 900 |" under "| Level |".
    table = "| Level | Price |\n| --- | --- |\n| 2 | EUR 900 |\n"
    assert same_numbered_item(question, _part(table)) == 1.0


def test_a_figure_fits_the_tier_that_holds_it():
    rule = _part("Finance approves a request of more than EUR 1,000.")
    assert figure_fits(parse("My course costs EUR 1,200, who approves it?"), rule) == 1.0
    assert figure_fits(parse("My course costs EUR 900, who approves it?"), rule) == 0.5
    assert figure_fits(parse("Who approves my course?"), rule) == 0.0


def test_a_part_holding_the_kind_of_answer_asked_for_counts():
    when = parse("When does sign-up open?")
    assert holds_answer_kind(when, _part("Sign-up runs July 5-20.")) == 1
    assert holds_answer_kind(when, _part("Use the Workday form.")) == 0
    assert holds_answer_kind(parse("What is the dual plan?"), _part("It has 2 tracks today.")) == 0


def test_lead_rules_count_rare_words_said_and_who_qualifies_passages():
    source = _source("An MBA is funded after 2 years.", heading="Degrees")
    asked = Asked("MBA", "mba", "MBA")
    question = parse("Is an MBA funded?").measured(Lookup(rare=(asked,)))
    assert rare_words_said(question, source) == 1.0
    assert rare_words_said(parse("Is an MBA funded?"), source) == 0.0  # not rare: no bonus
    eligibility = _source("Twelve months in role.", heading="Eligibility")
    assert requirements_passage(parse("Who can apply?"), eligibility) == 1.0
    assert requirements_passage(parse("Who can apply?"), source) == 0.0


def test_a_rule_contributes_its_weight_times_its_measure():
    question = parse("What does CCSM Level 2 cost?")
    numbered = next(rule for rule in PART_RULES if rule.measure is same_numbered_item)
    assert numbered(question, _part("The CCSM Level 3 exam costs EUR 1,300.")) == -0.15


def test_a_question_is_parsed_once_into_what_it_asks_for():
    question = parse("How many accounts does a Senior CSM manage, and who can apply?")
    assert isinstance(question, Question)
    assert question.asks(Wants.FIGURE) and question.asks(Wants.REQUIREMENT)
    assert question.answer_kind is not None and question.answer_kind.counted == "account"
    assert not question.personal
    assert parse("What should I do next?").asks(Wants.NEXT_STEP)
    assert parse("What should I do next?").personal
    assert parse("Is the MBA funded?").asks(Wants.YES_NO)
    assert parse("What % of my bonus is team-based?").asks(Wants.PERCENTAGE)
    assert parse("CSM I vs CSM II").asks(Wants.COMPARISON)
    assert parse("When does sign-up open?").asks(Wants.DATE)


def _placed(ladder: str, role: str, order: float, track: str = "ic") -> dict:
    return {
        "section_ladder": ladder,
        "section_role": role,
        "section_level": role,
        "section_level_order": order,
        "section_track": track,
    }


SUPPORT_IC2 = _placed("Support Engineering", "IC2", 2.0)
SUPPORT_IC3 = _placed("Support Engineering", "IC3", 3.0)
CUSTOMER_IC3 = _placed("Customer Engineering", "IC3", 3.0)


def test_the_level_asked_about_wins_over_its_look_alikes():
    question = parse("What is the SLA target for an IC2 support engineer?")
    assert at_the_asked_level(question, _part("Replies within 24 hours.", placed=SUPPORT_IC2)) == 1
    assert at_the_asked_level(question, _part("Replies within 4 hours.", placed=SUPPORT_IC3)) == -1
    assert at_the_asked_level(question, _part("Replies within 8 hours.")) == 0  # not a level's
    unnamed = parse("What is the SLA?")
    assert at_the_asked_level(unnamed, _part("Any reply.", placed=SUPPORT_IC2)) == 0


def test_what_comes_after_a_level_is_the_next_ones_section():
    after = parse("What does the level after IC3 look like?")
    assert after.wanted_levels == {("ic", 4.0)}
    assert at_the_asked_level(after, _part("Owns a region.", placed=_placed("X", "IC4", 4.0))) == 1
    assert at_the_asked_level(after, _part("Leads onboarding.", placed=SUPPORT_IC3)) == -1
    both = parse("IC4 vs IC3 in customer engineering: what changes?")
    assert both.wanted_levels == {("ic", 4.0), ("ic", 3.0)}


def test_the_ladder_named_in_the_question_counts():
    question = parse("What does an IC3 in customer engineering do?")
    assert on_the_named_ladder(question, _part("Leads onboarding.", placed=CUSTOMER_IC3)) == 1
    assert on_the_named_ladder(question, _part("Keeps a 4-hour reply.", placed=SUPPORT_IC3)) == 0
    # Said in an initialism, without the words that only say it is a ladder ("Job Family").
    operations = _placed("Customer Success Operations Job Family", "Manager", 5.0)
    asked = parse("I'm in CS Operations. What comes after the analyst level?")
    assert on_the_named_ladder(asked, _part("Owns the CS tooling.", placed=operations)) == 1
    csm = _placed("Customer Success Management", "Senior", 3.0)
    leads = _part("Leads the team.", placed=csm)
    assert on_the_named_ladder(parse("What does a Senior CSM do?"), leads)
    assert not on_the_named_ladder(asked, leads)  # "CS Operations" says no "Management"
    lead = parse("What does a CS lead do?")
    assert not on_the_named_ladder(lead, _part("Owns the CS tooling.", placed=operations))


def test_a_senior_manager_is_a_managers_level_in_a_question():
    [level] = parse("What does a Senior Manager, CSM do?").levels
    assert (level.name, level.track) == ("Senior Manager", "management")
    [level] = parse("What are the requirements for a Senior CSM?").levels
    assert (level.name, level.order) == ("Senior", 3.0)


def _lead_of(text: str, scores: dict[int, float], kind: AnswerKind | None = None) -> list[str]:
    """The lead passage quoted from a one-list text, its items scored as given."""
    from coach.answer.lead import lead_passage
    from coach.answer.parts import Scored

    blocks = blocks_of(text)
    units = units_of(_source(text), blocks)
    ranked = sorted(
        (Scored(u, scores.get(u.part, 0.1), True, 0.0, ()) for u in units),
        key=lambda s: s.score,
        reverse=True,
    )
    return lead_passage(blocks, ranked, kind=kind)


ROTATION = (
    "What stays the same:\n"
    + "".join(
        f"- Rule {i}: the rotation keeps your level, title, pay and hub as they were before.\n"
        for i in range(1, 6)
    )
    + "- Return guarantee: you come back with at least 70% of your book.\n"
)


def test_a_buried_best_part_is_quoted_first_and_not_twice():
    lines = _lead_of(ROTATION, {5: 0.9})
    assert lines[:2] == [
        "What stays the same:",
        "- Return guarantee: you come back with at least 70% of your book.",
    ]
    assert sum("Return guarantee" in line for line in lines) == 1
    assert sum(line.startswith("- Rule") for line in lines) == 5  # the rest, as written


def test_a_passage_reads_as_written_when_its_start_answers_nearly_as_well():
    lines = _lead_of(ROTATION, {5: 0.9, 0: 0.88})
    assert lines[1].startswith("- Rule 1") and "Return guarantee" in lines[-1]
    short = "Budgets:\n- Lisbon: EUR 2,000 a year.\n- Austin: USD 2,200 a year.\n"
    assert _lead_of(short, {1: 0.9}) == [
        "Budgets:",
        "- Lisbon: EUR 2,000 a year.",
        "- Austin: USD 2,200 a year.",
    ]


def test_a_rare_word_unsaid_is_forgiven_only_when_a_rarer_asked_word_is_said():
    promoted = Asked("promoted", "promot", "promoted")
    weights = {"promot": 4.2, "checklist": 4.7, "career": 2.8, "member": 0.5}
    lookup = Lookup(weights, (), (promoted,))
    # "checklist" is rarer than "promoted": the answer is about what was asked.
    assert lookup.uncovered("A checklist of things / a formal career framework") == ()
    # Only commoner words of the question: the asked-about word is still missing.
    assert lookup.uncovered("Career check-ins in your 1-1s") == (promoted,)
    pto = Asked("PTO", "pto", "PTO")
    said_as = Lookup({"member": 0.5}, (), (pto,))  # the documents' word for one: no weight
    assert said_as.uncovered("Team members get a budget per year") == (pto,)


def test_a_passage_holding_the_figure_of_the_thing_asked_about_claims_the_lead():
    question = parse("How many accounts does a Senior CSM manage?")
    assert passage_holds_answer_kind(question, _source("Book: 8-14 named accounts.")) == 1
    assert passage_holds_answer_kind(question, _source("Runs complex accounts alone.")) == 0
    # A "when" or a bare "how long" would favour any passage with a number: no claim.
    when = parse("When is sign-up?")
    assert passage_holds_answer_kind(when, _source("Sign-up runs July 5-20.")) == 0


def test_a_buried_part_holding_the_asked_figure_is_read_first():
    text = (
        "Intro:\n"
        + "".join(
            f"- Point {i}: the role sets the account strategy and holds executive relationships.\n"
            for i in range(1, 5)
        )
        + "- Book of business: 8-14 named accounts.\n"
    )
    kind = parse("How many accounts does a Senior CSM manage?").answer_kind
    lines = _lead_of(text, {0: 0.9, 1: 0.8, 2: 0.7, 3: 0.6, 4: 0.5}, kind)
    assert lines[:2] == ["Intro:", "- Book of business: 8-14 named accounts."], lines
    assert lines.count("Intro:") == 1 and len(lines) == 6  # the lead-in once, every item kept
    # Without a figure asked for, the passage reads as written.
    assert "Point 1" in _lead_of(text, {0: 0.9, 1: 0.8, 2: 0.7, 3: 0.6, 4: 0.5})[1]


def _lead_by_block(
    text: str, scores: dict[tuple[int, int], float], kind: AnswerKind | None = None
) -> list[str]:
    """The lead passage quoted from a text, its parts scored by (block, part)."""
    from coach.answer.lead import lead_passage
    from coach.answer.parts import Scored

    blocks = blocks_of(text)
    units = units_of(_source(text), blocks)
    ranked = sorted(
        (Scored(u, scores.get((u.block, u.part), 0.1), True, 0.0, ()) for u in units),
        key=lambda s: s.score,
        reverse=True,
    )
    return lead_passage(blocks, ranked, kind=kind)


STEPS = (
    "Every candidate goes through the same four steps, usually over about three weeks, and we "
    "share feedback after each of them:\n\n"
    "1. A half-hour call with a recruiter about the role, the team and what you want next.\n"
    "2. An interview with the hiring manager about how you run your accounts today.\n"
    "3. A case exercise: a business review for a fictional customer, sent two days ahead.\n"
    "4. A conversation about how you work, with a colleague from another team.\n"
)


def test_steps_are_read_in_their_order_even_when_a_later_one_answers():
    lines = _lead_by_block(STEPS, {(0, 2): 0.9})
    items = [line for line in lines if line[:1].isdigit()]
    # Markdown numbers a list from its first item: "3." first would read as steps 3, 4, 5, 6.
    assert [item[:2] for item in items] == ["1.", "2.", "3.", "4."], lines


PARAGRAPHS = (
    "The budget covers courses, certifications and conferences that help you in your role.\n\n"
    "Ask your manager before you book anything: they know what the team needs this year and "
    "may point you to something better.\n\n"
    "Books and subscriptions are paid from the same budget, within the yearly amount.\n\n"
    "Travel and hotels for a conference are paid from the travel budget, not this one, and "
    "need a second approval.\n\n"
    "The yearly amount is EUR 1,500 per person, and it does not roll over.\n"
)


def test_the_next_best_block_is_read_right_after_the_best_one():
    lines = [line for line in _lead_by_block(PARAGRAPHS, {(4, 0): 0.9, (3, 0): 0.85}) if line]
    assert lines[0].startswith("The yearly amount") and lines[1].startswith("Travel"), lines
    assert len(lines) == 5  # the rest as written
    # Not nearly as good: only the best part comes forward.
    lines = [line for line in _lead_by_block(PARAGRAPHS, {(4, 0): 0.9, (3, 0): 0.6}) if line]
    assert lines[0].startswith("The yearly amount") and lines[1].startswith("The budget covers")


def test_a_part_holding_the_asked_figure_is_quoted_even_past_the_word_budget():
    text = "What a Senior CSM does:\n" + "".join(
        f"- Duty {i}: owns the strategy, holds executive relationships and leads renewals.\n"
        for i in range(1, 13)
    ) + "\nA Senior CSM looks after 8-14 named accounts.\n"
    kind = parse("How many accounts does a Senior CSM manage?").answer_kind
    # Twelve duties fill the budget before the figure's paragraph, which scores lowest.
    scores = {(0, i): 0.9 - i / 100 for i in range(12)} | {(1, 0): 0.2}
    lines = _lead_by_block(text, scores, kind)
    assert lines[0] == "A Senior CSM looks after 8-14 named accounts.", lines


def test_the_tier_holding_the_askers_figure_is_read_first():
    from coach.answer.lead import lead_passage
    from coach.answer.parts import Scored

    text = (
        "Repayment if you leave after finishing an item paid from the learning budget:\n"
        "- If you resign within 6 months of completing it, you repay all of its cost.\n"
        "- It applies to single items above EUR 1,000, agreed when Finance approves them.\n"
        "- Between 6 and 12 months after completion, you repay 50%.\n"
        "- After 12 months, you repay nothing.\n"
    )
    blocks = blocks_of(text)
    units = units_of(_source(text), blocks)
    tier = next(u for u in units if u.text.startswith("- Between"))
    ranked = [Scored(u, 0.9 if u.part == 0 else 0.5, True, 0.0, ()) for u in units]
    ranked.sort(key=lambda s: s.score, reverse=True)
    lines = lead_passage(blocks, ranked, fits=lambda s: s.unit is tier)
    assert lines[1] == "- Between 6 and 12 months after completion, you repay 50%.", lines
    assert lead_passage(blocks, ranked)[1].startswith("- If you resign")


def test_a_section_named_for_what_a_what_question_asks_for_claims_the_lead():
    question = parse("What training does a Renewals Manager have to do in their first months?")
    assert question.asked_for == "train"
    trained = _source("CS 220 Commercial Conversations.", "Certifications and training")
    timed = _source("Typical time as a Renewals Manager is 24 months.", "Typical time in level")
    assert heading_names_asked_thing(question, trained) == 1.0
    assert heading_names_asked_thing(question, timed) == 0.0
    # A comparison is answered by its two sides' passages, whatever their headings.
    both = parse("Director vs Senior Director: which grade is each?")
    assert heading_names_asked_thing(both, _source("Grade 10.", "Job grade")) == 0.0


def test_a_missing_word_with_a_said_alternative_is_not_missing():
    from coach.answer.answerability import _has_a_said_alternative

    words = ["formal", "career", "ladder", "or", "checklist"]
    tokens = [[w] for w in words]
    assert _has_a_said_alternative(words, tokens, {"checklist": 2}, 2)
    assert not _has_a_said_alternative(words, tokens, {"checklist": 0}, 2)
    # "career" is no alternative to anything: no "or" beside it.
    assert not _has_a_said_alternative(words, tokens, {"formal": 3, "ladder": 3}, 1)


def test_a_move_question_favours_the_way_in():
    question = parse("Can I move into Solutions Consulting?")
    assert question.asks(Wants.MOVE)
    rotation = _source("CSM IIs and above can join the 6-month Solutions Consulting rotation.")
    role = _source("The Solutions Consultant is the expert in the sales process.")
    assert path_passage(question, rotation) == 1 and path_passage(question, role) == 0
    assert states_a_path(question, _part(rotation.text)) == 1
    assert path_passage(parse("What does a Solutions Consultant do?"), rotation) == 0


def test_a_way_in_counts_only_into_the_place_asked_about():
    question = parse("Principal CSM here - is there a way into presales?")
    assert question.asks(Wants.MOVE)
    presales = _part("Horizontal plan: move to Solutions Consultant in the presales team.")
    management = _part("Dual plan: switch to Manager, Customer Success at the same level.")
    assert states_a_path(question, presales) == 1 and states_a_path(question, management) == 0
    # "Another team" names no place in particular: any way in answers.
    anywhere = parse("Can my manager stop me from transferring permanently to another team?")
    assert states_a_path(anywhere, management) == 1


def test_a_question_about_one_role_is_not_answered_from_another_roles_page():
    asked = parse("How long does a CSM I usually stay in level?").focused("ladder/csm-1.md")
    own = _part(
        "Typical time as a CSM I is 18 months.",
        "Typical time",
        "ladder/csm-1.md",
        {"role_id": "csm-1"},
    )
    other = _part(
        "Typical time as a Senior CSM is 30 months.",
        "Typical time",
        "ladder/senior-csm.md",
        {"role_id": "senior-csm"},
    )
    policy = _part("Time in level is counted from the promotion date.", "Rules", "growth/x.md")
    assert on_another_roles_page(asked, own) == 0 and on_another_roles_page(asked, policy) == 0
    assert on_another_roles_page(asked, other) == -1
    # Another role's page may answer what it takes, a move, the next step or a comparison.
    allowed = parse("Am I allowed to apply for the rotation?").focused("ladder/csm-1.md")
    assert on_another_roles_page(allowed, other) == 0
    # No role asked about: every page competes alike.
    assert on_another_roles_page(parse("How long does a CSM I stay?"), other) == 0


def test_a_word_asked_about_in_its_absence_need_not_be_said():
    from coach.answer.answerability import _excluded

    words = ["Can", "my", "pay", "go", "up", "without", "being", "promoted"]
    assert _excluded(words, words.index("promoted"))
    assert not _excluded(words, words.index("pay"))
    asked = ["What", "do", "I", "need", "to", "get", "promoted"]
    assert not _excluded(asked, asked.index("promoted"))


def test_a_longer_word_says_a_rare_word_it_starts_only_when_that_word_is_no_short_stem():
    admin = Asked("admin", "admin", "admin")
    car = Asked("car", "car", "company car")
    lookup = Lookup({"admin": 5.0, "car": 6.0}, rare=(admin, car))
    assert lookup.uncovered("Ask a Gainsight administrator about career growth.") == (car,)
    assert lookup.uncovered("A company car is offered to field staff.") == ()


def test_a_word_said_in_other_words_is_found_but_not_in_a_verb_of_another_sense(embeddings):
    coworker = Asked("coworker", "cowork", "coworker")
    said = Lookup(missing=(coworker,)).explained_by(["Ask a colleague for help."], embeddings)
    assert said.missing == () and [a.token for a in said.rare] == ["colleagu"]
    # "car" is 0.72 from "driving", as in "driving platform adoption": no company car there.
    car = Asked("car", "car", "company car")
    driving = Lookup(missing=(car,)).explained_by(["Driving platform adoption."], embeddings)
    assert driving.missing == (car,)


def test_a_whole_english_word_is_no_misspelling_of_an_indexed_one():
    from coach.answer.answerability import _spelled_like_indexed

    vocabulary = sorted(["bonus", "mentorship", "refer"])  # the documents' index terms
    # "referral" (token "referr") is one letter from "refer", and a word of its own.
    assert not _spelled_like_indexed("referral", "referr", vocabulary)
    # "mentorshp" is no word: the documents' "mentorship" it is.
    assert _spelled_like_indexed("mentorshp", "mentorshp", vocabulary)


def test_a_part_labelled_with_what_is_asked_counts():
    question = parse("If I go on a rotation, do I get my accounts back when I return?")
    guarantee = "- **Return guarantee:** you come back with at least 70% of your book."
    assert label_names_asked_thing(question, _part(guarantee)) == 0.5  # "return", not "guarantee"
    assert label_names_asked_thing(question, _part("*Rotation*: Exceeding expectations.")) == 1
    assert label_names_asked_thing(question, _part("Team book: EUR 15-30M ARR.")) == 0
    # A part with no label, or bold words inside a sentence, names nothing.
    assert label_names_asked_thing(question, _part("You can end a rotation early.")) == 0
    assert label_names_asked_thing(question, _part("Your **rotation** pay stays the same.")) == 0


def test_where_the_asker_travels_is_the_case_not_the_subject():
    from coach.answer.answerability import _where_the_asker_goes

    words = "spend about 6 months travelling around South America while working".split()  # noqa: SIM905
    assert _where_the_asker_goes(words, words.index("South"))
    assert _where_the_asker_goes(words, words.index("America"))
    assert not _where_the_asker_goes(words, words.index("working"))
    moving = "I am relocating to Porto next year".split()  # noqa: SIM905
    assert _where_the_asker_goes(moving, moving.index("Porto"))
    # A place named without going there is what is asked about: "the Berlin office".
    office = "Which days am I expected in the Berlin office".split()  # noqa: SIM905
    assert not _where_the_asker_goes(office, office.index("Berlin"))
    home = "I work in Berlin".split()  # noqa: SIM905 - a sentence reads better as one
    assert not _where_the_asker_goes(home, home.index("Berlin"))


def test_a_negated_verb_is_how_the_asker_puts_it_not_the_subject():
    from coach.answer.answerability import _ASKED_WORD, _negated_verb

    words = _ASKED_WORD.findall("My mentor and I just don\u2019t click. Can I get someone else?")
    assert _negated_verb(words, words.index("click"))
    plain = _ASKED_WORD.findall("my manager doesnt reply")
    assert _negated_verb(plain, plain.index("reply"))
    # "No" negates a subject: "no parental leave?" still asks about parental leave.
    leave = _ASKED_WORD.findall("Is there no parental leave?")
    assert not _negated_verb(leave, leave.index("parental"))
    isnt = _ASKED_WORD.findall("Isn't there parental leave? We don't get sabbaticals")
    assert not _negated_verb(isnt, isnt.index("parental"))
    assert not _negated_verb(isnt, isnt.index("sabbaticals"))  # "get" is the negated verb
    assert not _negated_verb(words, words.index("mentor"))


def test_a_section_whose_heading_the_question_says_counts():
    question = parse("Whats the deal with the 360 feedback sessions, any ground rules?")
    rules = _source("Everybody participates.", heading="Feedback session > Ground rules")
    assert heading_is_asked_about(question, rules) == 1.0
    assert heading_is_asked_about(question, _source("We run them.", heading="Offsites")) == 0
    # A one-word heading counts only when the word is rare among the documents.
    common = parse("How does the feedback process work?").measured(Lookup(weights={"process": 1}))
    assert heading_is_asked_about(common, _source("Steps.", heading="Process")) == 0
    rare = parse("What's the vesting on my equity?").measured(Lookup(weights={"equiti": 4.0}))
    assert heading_is_asked_about(rare, _source("1-year cliff.", heading="Equity")) == 1
    # A comparison is answered by its two sides, whatever the headings say.
    both = parse("Ground rules vs feedback sessions - how do they differ?")
    assert heading_is_asked_about(both, rules) == 0
    # A heading that only says how a question is put names no subject: "How much".
    week = parse("How much of my week can a dual designation take?").measured(
        Lookup(weights={"much": 3.6})  # as rare as the sample makes it
    )
    assert heading_is_asked_about(week, _source("EUR 1,000 a year.", heading="How much")) == 0


def test_a_comparison_on_an_aspect_quotes_the_side_titled_by_that_aspect():
    from coach.answer.offline import compared_passages
    from coach.answer.parts import Scored

    def found(n: int, heading: str, text: str) -> Source:
        return Source(n, f"c{n}", "how-we-work.md", "How we work", heading, text, 0.1, 0.5)

    bonus = found(1, "How CSM bonus works", "CSMs are paid on the NRR of their own book.")
    book = found(2, "Book of business", "Each CSM is assigned accounts worth ~$2.5m ARR.")
    tams = found(3, "Product-led Sales", "TAMs own a book of around 15 customers, $1.5m ARR.")
    ranked = [
        Scored(units_of(s, blocks_of(s.text))[0], 0.5, True, 0.5, ()) for s in (bonus, book, tams)
    ]
    sized = parse("What's the difference between a TAM and a CSM in terms of book size?")
    assert compared_passages(sized, bonus, ranked) == [book, tams]
    # Without an aspect, the passage titled by the side answers for it.
    plain_question = parse("What's the difference between a TAM and a CSM?")
    assert compared_passages(plain_question, bonus, ranked) == [bonus, tams]


def test_a_side_without_a_seniority_word_is_the_plain_level_not_a_senior_one():
    from coach.answer.offline import compared_passages
    from coach.answer.parts import Scored

    def level(n: int, heading: str, text: str, order: float, track: str = "ic") -> Source:
        placed = {"section_level_order": order, "section_track": track}
        return Source(n, f"c{n}", "ops.md", "CS Operations", heading, text, 0.1, 0.5, placed)

    senior = level(1, "Senior CS Operations Analyst > Job Grade", "A grade 7.", 3.0)
    plain_level = level(2, "CS Operations Analyst (Intermediate) > Job Grade", "A grade 6.", 2.0)
    manager = level(3, "Manager, CS Operations > Job Grade", "A grade 8.", 10.0, "management")
    ranked = [
        Scored(units_of(s, blocks_of(s.text))[0], 0.5, True, 0.5, ())
        for s in (senior, plain_level, manager)
    ]
    each = parse("CS Operations Analyst or CS Operations Manager - what grade is each one?")
    assert compared_passages(each, senior, ranked) == [plain_level, manager]
    # A side that names its seniority gets that level's section.
    named = parse("The difference between a Senior CS Operations Analyst and a Manager?")
    assert compared_passages(named, plain_level, ranked) == [senior, manager]


def test_a_passage_naming_the_numbered_item_asked_counts():
    question = parse("Which certification is in onboarding module 7?")
    seventh = _source("**Module 7: Conclusion**\n- Complete the PM certification.")
    assert names_the_asked_item(question, seventh) == 1.0
    assert names_the_asked_item(question, _source("**Module 5: Tools**\n- CI/CD.")) == 0.0
    assert names_the_asked_item(parse("Which certifications are there?"), seventh) == 0.0


def test_a_bullet_answering_nearly_as_well_as_the_first_is_read_right_after_it():
    lines = _lead_of(ROTATION, {0: 0.9, 5: 0.8})
    assert lines[1].startswith("- Rule 1") and lines[2].startswith("- Return guarantee"), lines
    assert lines[3].startswith("- Rule 2") and len(lines) == 7  # the rest, as written, once
    # A numbered list's steps keep their order.
    steps = "What happens:\n" + "".join(f"{i}. Step {i} of the rotation.\n" for i in range(1, 7))
    numbers = [line[:2] for line in _lead_of(steps, {0: 0.9, 5: 0.8})[1:]]
    assert numbers == ["1.", "2.", "3.", "4.", "5.", "6."]


def test_a_passage_whose_tier_holds_the_askers_figure_counts():
    from coach.answer.rules import passage_fits_the_figure

    question = parse("My training costs $800. Whose sign-off do I need?")
    tiers = _source("Cost tiers:\n- Manager approval: $0-$1,000\n- Manager + VP: $1,000.01-$5,000")
    assert passage_fits_the_figure(question, tiers) == 1
    # A limit the figure falls outside says less: no claim to lead.
    above = _source("Finance approves requests above $1,000.")
    assert passage_fits_the_figure(question, above) == 0
    assert passage_fits_the_figure(parse("Whose sign-off do I need?"), tiers) == 0


APPROVAL = (
    "1. **Request.** Submit a learning request in Workday at least 20 business days ahead.\n"
    "2. **Manager.** Your manager approves or declines within 5 business days, by email.\n"
    "3. **Enablement.** CS Enablement checks the catalog for a course that covers the same.\n"
    "4. **Finance.** Finance approves any request above EUR 1,000 within 5 business days.\n"
)


def test_named_steps_before_the_answering_one_are_read_after_it_when_they_bury_it():
    lines = _lead_of(APPROVAL, {3: 0.9, 0: 0.3, 1: 0.3, 2: 0.3})
    steps = APPROVAL.splitlines()
    # Approvals add up: the manager's step still applies. The line between the two lists keeps
    # Markdown from numbering steps 1-3 on from step 4.
    assert lines == [steps[3], "", "Earlier steps:", *steps[:3]], lines
    # Every earlier step, even one the word budget would leave out: each approval is needed.
    logged = "It is logged and tracked in Workday. " * 5
    wordy = "".join(f"{line[:-1]} {logged}\n" for line in steps)
    assert sum(len(line.split()) for line in wordy.splitlines()) > LEAD_WORDS
    lines = _lead_of(wordy, {3: 0.9, 0: 0.3})
    assert [line[:2] for line in lines] == ["4.", "", "Ea", "1.", "2.", "3."], lines
    # Unnamed steps may be conditions that all hold: every one is kept, in order.
    condition = "holds for the account this quarter, as agreed in writing"
    unnamed = "".join(f"{i}. Condition {i} {condition}.\n" for i in range(1, 6))
    numbers = [line[:2] for line in _lead_of(unnamed, {4: 0.9})]
    assert numbers == ["1.", "2.", "3.", "4.", "5."]


def test_a_passage_giving_the_asked_for_thing_a_figure_counts():
    from coach.answer.rules import passage_gives_asked_figure

    question = parse("What uplift do Renewals Managers normally go for on a renewal?")
    assert question.asked_for == "uplift"
    given = _source("- The standard price uplift is 5-7%.\n- Outreach starts 120 days ahead.")
    named = _source("The Renewals Manager owns the quote, the price uplift and the terms.")
    assert passage_gives_asked_figure(question, given) == 1
    assert passage_gives_asked_figure(question, named) == 0  # the uplift, but no figure of it
    # A question that says what kind of figure it wants is served by that rule instead.
    assert passage_gives_asked_figure(parse("How many accounts does a CSM manage?"), given) == 0


def test_a_long_step_answering_nearly_as_well_as_the_best_is_cut_not_left_out():
    filler = "The review document is shared with the whole team afterwards. " * 20
    steps = (
        "1. Your manager books a one hour review meeting with you.\n"
        f"2. In advance, you write a self-assessment in the shared template. {filler}\n"
        "3. The People team stores the review notes.\n"
    )
    cut = _lead_of(steps, {0: 0.9, 1: 0.85, 2: 0.3})
    # As many of its sentences as the word budget holds, the cut marked.
    assert cut[1].startswith("2. In advance, you write a self-assessment in the shared template.")
    assert cut[1].endswith("afterwards. …") and cut[1].count("afterwards") < 20, cut
    assert sum(len(line.split()) for line in cut) <= LEAD_WORDS
    # A long step that answers much less well than the best is left out, as before.
    assert not any(line.startswith("2.") for line in _lead_of(steps, {0: 0.9, 1: 0.5, 2: 0.3}))


def test_a_comparisons_side_named_by_a_table_row_is_read_first():
    from coach.answer.lead import lead_passage
    from coach.answer.offline import _side_namer
    from coach.answer.parts import Scored

    intro = "Team members should not feel pressure to climb. " * 4
    text = (
        f"{intro}\n\n| Topic | Definition |\n| --- | --- |\n"
        "| Development | Building skills that accelerate your growth. |\n"
        "| Mobility | Lateral and horizontal moves (transfers) along a career path. |\n"
    )
    blocks = blocks_of(text)
    units = units_of(_source(text), blocks)
    ranked = [Scored(u, 0.9 - i / 10, True, 0.0, ()) for i, u in enumerate(units)]
    names_a_side = _side_namer(parse("career development vs career mobility: what is each?"))
    assert [u.name for u in units if names_a_side(Scored(u, 0, True, 0, ()))] == [
        "Development",
        "Mobility",
    ]
    lines = lead_passage(blocks, ranked, fits=names_a_side)
    assert lines[2].startswith("| Development") and lines[3].startswith("| Mobility"), lines
    # Without a comparison, the passage reads as written.
    plain = lead_passage(blocks, ranked, fits=_side_namer(parse("What is career mobility?")))
    assert plain[0].startswith("Team members"), plain
