"""The conversation store on a real PostgreSQL server (COACH_DATABASE_URL, for several replicas).

The server is tests/postgres_servers.py's, one per session; every test gets its own fresh
database on it.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from postgres_servers import ROLE, SERVER_TIMEZONE

from coach.answer.answerer import Answer
from coach.answer.retrieve import Source
from coach.app.history import History
from coach.errors import StoreError

pytestmark = pytest.mark.slow

pytest.importorskip("psycopg", reason="psycopg is missing: pip install -e '.[postgres]'")


@pytest.fixture
def url(create_database: Callable[[], str]) -> str:
    """The URL of the test's own fresh database."""
    return create_database()


@pytest.fixture
def replicas(url: str) -> Iterator[Callable[[], History]]:
    """Opens History objects on the test's database, as app replicas would; closes them after."""
    opened: list[History] = []

    def open_replica() -> History:
        opened.append(History(url))
        return opened[-1]

    yield open_replica
    for history in opened:
        history.engine.dispose()


@pytest.fixture
def history(replicas) -> History:
    return replicas()


def source(n: int, title: str, heading: str = "") -> Source:
    return Source(
        n=n,
        id=f"chunk-{n}",
        path=f"roles/{title.lower().replace(' ', '-')}.md",
        title=title,
        heading=heading,
        text=f"**{title}** — what the page says about {heading or title}.",
        score=0.5 / n,
        similarity=0.8,
    )


def answer(text: str, refused: bool = False, sources: list[Source] | None = None) -> Answer:
    return Answer(text=text, mode="offline", refused=refused, sources=sources or [])


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored timestamp as an aware UTC one (naive ones are UTC by the store's contract)."""
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def test_exchanges_and_feedback_belong_to_their_user(history):
    cited = [source(1, "Senior CSM", "Scope"), source(2, "Dual plan — Überblick")]
    first = history.record(
        "ana", "c1", "csm", "What is a dual plan?", answer("It is [1].", False, cited)
    )
    history.record("ana", "c1", "csm", "How do I start?", answer("Ask your manager."))
    history.record("ana", "c2", "csm", "Another conversation", answer("..."))
    bens = history.record("ben", "c1", "csm", "Ben's question", answer("..."))
    ana = history.conversation("ana", "c1")
    assert [e.question for e in ana] == ["What is a dual plan?", "How do I start?"]
    assert [e.question for e in history.conversation("ben", "c1")] == ["Ben's question"]
    assert history.conversation("cy", "c1") == []
    assert ana[0].id == first and ana[0].answer == "It is [1]." and ana[0].refused is False
    assert (ana[0].user, ana[0].persona, ana[0].mode) == ("ana", "csm", "offline")
    stored = [{**s.as_json(), "id": s.id, "text": s.text} for s in cited]
    assert json.loads(ana[0].sources) == stored  # non-ASCII survives

    history.feedback("ana", first, liked=False, comment=" too vague ")
    with pytest.raises(StoreError, match="no such answer"):
        history.feedback("ben", first, liked=True)  # nobody rates someone else's answers
    with pytest.raises(StoreError, match="no such answer"):
        history.feedback("ana", bens, liked=True)
    with pytest.raises(StoreError, match="no such answer"):
        history.feedback("ana", 999_999, liked=True)
    history.feedback("ben", bens, liked=True)

    ratings = history.ratings("ana", "c1")
    assert list(ratings) == [first]
    assert (ratings[first].liked, ratings[first].comment) == (False, "too vague")
    assert history.ratings("ana", "c2") == {}
    assert list(history.ratings("ben", "c1")) == [bens]


def test_a_second_rating_replaces_the_first_and_keeps_its_comment(history):
    exchange = history.record("ana", "c", "csm", "Is there a dual plan?", answer("Yes [1]."))
    history.feedback("ana", exchange, liked=False, comment="missing the pay band")
    history.feedback("ana", exchange, liked=True)  # comment=None: the reason stays
    rating = history.ratings("ana", "c")[exchange]
    assert (rating.liked, rating.comment) == (True, "missing the pay band")
    history.feedback("ana", exchange, liked=False, comment="")
    rating = history.ratings("ana", "c")[exchange]
    assert (rating.liked, rating.comment) == (False, "")
    assert history.failed_questions() == ["Is there a dual plan?"]  # one rating, counted once


def test_failed_questions_are_the_refused_and_the_disliked(history):
    history.record("ana", "c", "csm", "What is the parental leave policy?", answer("?", True))
    history.record("ben", "c", "csm", "How long is parental leave?", answer("?", True))
    liked = history.record("ben", "c", "csm", "Is there a dual plan?", answer("Yes [1]."))
    disliked = history.record("cy", "c", "csm", "Do we pay for MBAs?", answer("Maybe."))
    history.record("cy", "c", "csm", "Unrated question", answer("Fine."))
    history.feedback("ben", liked, liked=True)
    history.feedback("cy", disliked, liked=False)
    assert sorted(history.failed_questions()) == [
        "Do we pay for MBAs?",
        "How long is parental leave?",
        "What is the parental leave policy?",
    ]


def test_two_replicas_see_each_others_writes(replicas):
    one, two = replicas(), replicas()  # the second finds the tables the first created
    first = one.record("ana", "c", "csm", "What is a dual plan?", answer("It is..."))
    second = two.record("ana", "c", "csm", "How do I start?", answer("?", True))
    assert first != second
    for replica in (one, two):
        assert [e.id for e in replica.conversation("ana", "c")] == [first, second]
    two.feedback("ana", first, liked=False, comment="vague")  # rated where it was not asked
    one.feedback("ana", first, liked=True)
    rating = two.ratings("ana", "c")[first]
    assert (rating.liked, rating.comment) == (True, "vague")
    assert one.failed_questions() == two.failed_questions() == ["How do I start?"]
    with pytest.raises(StoreError, match="no such answer"):
        two.feedback("ben", second, liked=False)


def test_created_is_utc_whatever_the_servers_zone(history):
    """The aware UTC default goes to a TIMESTAMP WITHOUT TIME ZONE column: PostgreSQL converts it
    to the session's zone and drops the zone, so the export's "UTC" is local time. Storing naive
    UTC (dt.datetime.now(dt.UTC).replace(tzinfo=None)) is the same on SQLite and PostgreSQL."""
    before = dt.datetime.now(dt.UTC)
    history.record("ana", "c", "csm", "When?", answer("Now."))
    after = dt.datetime.now(dt.UTC)
    created = as_utc(history.conversation("ana", "c")[0].created)
    assert before - dt.timedelta(seconds=1) <= created <= after + dt.timedelta(seconds=1), (
        f"stored {created:%H:%M} for {before:%H:%M} UTC (server zone {SERVER_TIMEZONE})"
    )


def test_unreachable_server_is_a_one_line_error():
    with socket.socket() as held:  # bound, never listening: connections are refused
        held.bind(("127.0.0.1", 0))
        port = held.getsockname()[1]
        with pytest.raises(StoreError, match=r"^cannot open the database: ") as raised:
            History(f"postgresql+psycopg://{ROLE}@127.0.0.1:{port}/postgres")
    message = str(raised.value)
    assert "\n" not in message and str(port) in message, message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_a_database_outage_is_a_one_line_error_and_the_store_recovers(history, url, cluster):
    import psycopg

    history.record("ana", "c", "csm", "Before the outage", answer("..."))
    database = url.rsplit("/", 1)[1]
    with psycopg.connect(cluster.dsn, autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {database} ALLOW_CONNECTIONS false")
        kick(admin, database)
        with pytest.raises(StoreError, match=r"^database error: ") as raised:
            history.record("ana", "c", "csm", "During the outage", answer("..."))
        assert "\n" not in str(raised.value)
        with pytest.raises(StoreError, match=r"^database error: "):
            history.conversation("ana", "c")
        admin.execute(f"ALTER DATABASE {database} ALLOW_CONNECTIONS true")
    history.record("ana", "c", "csm", "After the outage", answer("..."))
    questions = [e.question for e in history.conversation("ana", "c")]
    assert questions == ["Before the outage", "After the outage"]


def kick(admin, database: str) -> int:
    """Close every client connection to the database, as a server restart or failover does."""
    query = (
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
        " WHERE datname = %s AND pid <> pg_backend_pid()"
    )
    return admin.execute(query, (database,)).fetchone()[0]


def test_a_server_restart_costs_no_request(history, url, cluster):
    """After a restart or failover the pool's connections are dead; the next request must not
    fail for it (create_engine(url, pool_pre_ping=True) checks a connection before using it)."""
    import psycopg

    history.record("ana", "c", "csm", "Before the restart", answer("..."))
    with psycopg.connect(cluster.dsn, autocommit=True) as admin:
        assert kick(admin, url.rsplit("/", 1)[1]) >= 1
    history.record("ana", "c", "csm", "After the restart", answer("..."))
    assert len(history.conversation("ana", "c")) == 2


def together(*calls: Callable[[], object]) -> list[str]:
    """Run the calls at the same moment in threads; the one-line errors they raised."""
    start = threading.Barrier(len(calls))
    errors: list[str] = []

    def run(call: Callable[[], object]) -> None:
        start.wait()
        try:
            call()
        except Exception as exc:  # reported below, whatever it is
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_replicas_starting_together_on_an_empty_database(cluster, create_database):
    """Replicas of a new deployment start at once and each History() runs create_all: on
    PostgreSQL the late ones fail (duplicate key ... "pg_type_typname_nsp_index") unless the
    schema step is serialised, e.g. by pg_advisory_xact_lock in create_all's transaction."""
    errors: list[str] = []
    opened: list[History] = []
    for _ in range(8):  # one try collides most of the time; eight all but always
        url = create_database()
        errors += together(*[lambda url=url: opened.append(History(url))] * 3)
    for history in opened:
        history.engine.dispose()
    assert errors == []


def test_simultaneous_ratings_of_one_answer_keep_one_rating(replicas):
    """A double click reaching two replicas: both read "no rating yet" and both insert one
    (PostgreSQL runs them in parallel where SQLite serialises writers). A later change of mind
    then updates one row only, and the answer stays among the failed questions."""
    one, two = replicas(), replicas()
    exchanges = [one.record("ana", "c", "csm", f"Question {i}", answer("...")) for i in range(12)]
    errors: list[str] = []
    for exchange in exchanges:
        errors += together(
            lambda exchange=exchange: one.feedback("ana", exchange, liked=False),
            lambda exchange=exchange: two.feedback("ana", exchange, liked=False, comment="vague"),
        )
    for exchange in exchanges:
        one.feedback("ana", exchange, liked=True)  # a change of mind
    assert errors == []
    assert one.failed_questions() == []
    assert all(rating.liked for rating in two.ratings("ana", "c").values())


def test_conversations_are_listed_renamed_deleted_and_remembered(history):
    from coach.app.conversations import Conversations, Remembered

    conversations = Conversations(history)
    history.record("ana", "c1", "csm", "What is a dual plan?", answer("It is."))
    history.record("ana", "c2", "csm", "Wie werde ich Senior CSM?", answer("So."))
    history.record("ana", "api-1", "csm", "An API call", answer("."), listed=False)
    history.record("ben", "c1", "csm", "Ben's question", answer("..."))
    listed = conversations.listed("ana")
    assert [(c.conversation, c.title) for c in listed] == [
        ("c2", "Wie werde ich Senior CSM?"),
        ("c1", "What is a dual plan?"),
    ]
    history.record("ana", "c1", "csm", "And then?", answer("Then."))  # c1 moves to the top
    assert [c.conversation for c in conversations.listed("ana")] == ["c1", "c2"]
    assert conversations.rename("ana", "c1", "Dual") == "Dual"
    with pytest.raises(StoreError, match="no such conversation"):
        conversations.rename("ben", "c2", "Mine")
    conversations.remember("ana", Remembered("csm", "csm-1", "dual", "c1"))
    conversations.remember("ana", Remembered("csm", "csm-2", "", "c1"))
    assert conversations.remembered("ana") == Remembered("csm", "csm-2", "", "c1")
    first = history.conversation("ana", "c1")[0].id
    history.feedback("ana", first, liked=False, comment="vague")
    conversations.delete("ana", "c1")
    assert history.conversation("ana", "c1") == [] and history.ratings("ana", "c1") == {}
    assert conversations.remembered("ana").open_conversation == ""
    assert [e.question for e in history.conversation("ben", "c1")] == ["Ben's question"]
