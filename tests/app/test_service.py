"""The app's handlers without a browser: who may do what, feedback, export, gaps, profile."""

from __future__ import annotations

import time

import pytest
from helpers import indexed_coach, write

from coach.answer.profile import Profile, make_profile
from coach.answer.question import parse
from coach.answer.vectors import not_embedded
from coach.answer.warm import passage_texts
from coach.app.service import CoachService, Turn, Viewer
from coach.errors import AccessError, CoachError, StoreError
from coach.index.keeper import FOLLOW_S

ANA, BEN, HUGO = Viewer("ana", "csm"), Viewer("ben", "hiring_manager"), Viewer("hugo", "hr")


def ask(service, viewer, question, conversation="c1", **kwargs) -> Turn:
    turn = service.ask(viewer, question, conversation, **kwargs).result
    assert isinstance(turn, Turn)
    return turn


def test_viewer_comes_from_the_users_file(service):
    assert service.viewer("ben") == BEN
    with pytest.raises(AccessError, match="please sign in"):
        service.viewer("mallory")
    with pytest.raises(AccessError):
        service.viewer(None)


def test_persona_may_narrow_but_never_widen(service):
    assert service.persona_for(BEN) == "hiring_manager"
    assert service.persona_for(ANA, "hiring_manager") == "hiring_manager"
    with pytest.raises(AccessError, match=r"may not ask as csm: it would show employee"):
        service.persona_for(BEN, "csm")
    assert service.personas(BEN) == ["hiring_manager"]
    assert service.personas(ANA) == ["hiring_manager", "csm"]


def test_demo_user_may_switch_persona(tmp_path, kb, embeddings):
    write(kb, "a.md", "Some text about CSM growth and plans.")
    coach = indexed_coach(kb, tmp_path / "data", users_file=tmp_path / "none.toml")
    demo = CoachService(coach.settings, coach)
    assert demo.demo and demo.viewer(None).name == "local"
    assert demo.persona_for(demo.viewer(None)) == "csm"
    assert demo.personas(demo.viewer(None)) == ["hiring_manager", "csm", "hr"]


def test_feedback_and_export_stay_with_their_user(service):
    turn = ask(service, ANA, "What is the next step from CSM I?")
    assert "CSM II" in turn.answer.text
    with pytest.raises(StoreError, match="no such answer"):
        service.rate(BEN, turn.exchange_id, False, "not mine to rate")
    service.rate(ANA, turn.exchange_id, False, None)
    service.rate(ANA, turn.exchange_id, False, "  too short  ")
    service.rate(ANA, turn.exchange_id, True, None)  # a changed mind keeps the reason
    markdown = service.export(ANA, "c1")
    assert markdown.startswith("# Conversation with coach, ")
    assert "## What is the next step from CSM I?" in markdown
    assert "- [1] CSM I — Next steps (ladder/csm-1.md)" in markdown
    assert "_You liked this answer: too short_" in markdown
    with pytest.raises(CoachError, match="nothing to export yet"):
        service.export(BEN, "c1")  # ben sees nothing of ana's, even knowing the conversation id


def test_profile_focuses_on_the_askers_role(service):
    roles = service.coach.ladder("hr").in_order()
    assert [r.id for r in roles] == ["csm-1", "csm-2"]
    profile = make_profile(roles, "csm-2", "vertical")
    assert (
        profile.about()
        == "I am currently a CSM II (role id csm-2). I prefer a vertical career plan."
    )
    assert profile.focus(parse("What should I do next?")) == "ladder/csm-2.md"
    assert profile.focus(parse("What is the learning budget?")) == ""
    turn = ask(service, ANA, "What should I do next?", profile=profile)
    assert turn.answer.sources[0].path == "ladder/csm-2.md"
    assert "Senior CSM" in turn.answer.text
    with pytest.raises(ValueError, match="unknown plan type 'diagonal'"):
        make_profile(roles, "", "diagonal")
    assert not Profile()


def test_focus_never_reveals_a_hidden_role_page(service):
    profile = make_profile(service.coach.ladder("hr").in_order(), "csm-2")
    turn = ask(service, BEN, "What should I do next?", profile=profile)
    assert all(s.path == "careers/faq.md" for s in turn.answer.sources)


def test_role_picker_offers_only_roles_the_persona_may_read(service):
    assert [r.id for r in service.roles("csm")] == ["csm-1", "csm-2"]
    assert service.roles("hiring_manager") == []  # the ladder pages are for employees
    with pytest.raises(CoachError, match="unknown role 'csm-2'"):
        service.profile("hiring_manager", "csm-2")
    assert service.profile("csm", "csm-2", "dual").plan == "dual"


def test_desk_is_for_hr_only(service):
    for viewer in (ANA, BEN):
        with pytest.raises(AccessError, match="for HR only"):
            service.documents(viewer)
        with pytest.raises(AccessError):
            service.upload(viewer, [("x.md", b"# X\n\nText.")], "", False)
        with pytest.raises(AccessError):
            service.gaps(viewer)


def test_upload_then_reindex_makes_it_answerable(service):
    doc = (
        b"---\ntitle: Mentoring Guild\naudience: employee\n---\n\n# Mentoring Guild\n\n"
        b"The Mentoring Guild meets on the second Tuesday of every month in Lisbon.\n"
    )
    saved, refused = service.upload(
        HUGO,
        [("guild.md", doc), ("bad.md", b"---\naudience: all\n---\n\nx y z\n")],
        "growth",
        False,
    )
    assert [s.path for s in saved] == ["growth/guild.md"]
    assert refused == ["bad.md: unknown audience 'all' (expected one of: public, employee, hr)"]
    assert service.reindex(HUGO).added == ["growth/guild.md"]
    turn = ask(service, ANA, "When does the Mentoring Guild meet?")
    assert turn.answer.sources[0].path == "growth/guild.md"
    assert "second Tuesday" in turn.answer.text


def test_the_app_embeds_passages_ahead_once_ready_and_after_every_sync(service):
    embeddings = service.coach.embeddings
    service.prepare_in_background().join()
    service.embedding_ahead.join()
    rows = service.coach.store.all_chunks()
    assert rows and not not_embedded(embeddings, [t for r in rows for t in passage_texts(r)])
    write(
        service.settings.knowledge_dir,
        "growth/guild.md",
        "# Mentoring Guild\n\nThe Mentoring Guild meets on the first Monday of each quarter.\n",
    )
    service.reindex(HUGO)
    new = [r for r in service.coach.store.all_chunks() if r.metadata["path"] == "growth/guild.md"]
    service.embedding_ahead.join()
    assert new and not not_embedded(embeddings, passage_texts(new[0]))

    # ... and after a sync by another process, once the app has followed it.
    write(
        service.settings.knowledge_dir,
        "growth/circle.md",
        "# Reading Circle\n\nThe Reading Circle meets on the last Thursday of each month.\n",
    )
    indexed_coach(service.settings.knowledge_dir, service.settings.data_dir)
    time.sleep(FOLLOW_S)
    store = service.coach.store
    new = [r for r in store.all_chunks() if r.metadata["path"] == "growth/circle.md"]
    service.embedding_ahead.join()
    assert new and not not_embedded(embeddings, passage_texts(new[0]))


def test_gaps_group_refused_and_disliked_questions(service):
    for wording in ("What is the dress code?", "What is the office dress code?"):
        ask(service, ANA, wording)
    liked = ask(service, ANA, "What is the next step from CSM I?")
    service.rate(ANA, liked.exchange_id, False, "wrong")
    gaps = service.gaps(HUGO)
    first = gaps[0]
    assert first.count == 2
    assert first.question in {"What is the dress code?", "What is the office dress code?"}
    assert any(g.question == "What is the next step from CSM I?" for g in gaps)


def test_a_first_start_creates_the_data_folder(tmp_path, kb, embeddings):
    from coach.config import load_settings

    write(kb, "a.md", "Some text about CSM growth and plans.")
    fresh = tmp_path / "not" / "there" / "yet"
    settings = load_settings(knowledge_dir=kb, data_dir=fresh, users_file=tmp_path / "none.toml")
    service = CoachService(settings)  # `python ui.py` on a fresh machine: no database yet
    assert fresh.is_dir() and service.history.conversation("local", "c1") == []
    (tmp_path / "blocked").write_text("a file where the data folder should be")
    blocked = load_settings(knowledge_dir=kb, data_dir=tmp_path / "blocked" / "data")
    with pytest.raises(CoachError, match="cannot create the data folder"):
        CoachService(blocked)
