"""Attacks on the launched app over raw HTTP: stolen session hashes, deep links, other users'
files, telling restricted topics apart, sign-in guessing. Each one failed on main before."""

from __future__ import annotations

import concurrent.futures
import json
import re
import stat

import httpx
import pytest
from app_fixtures import USERS, start_app
from gradio_client import Client
from helpers import make_pdf, run_cli
from page_traffic import Page

from coach.answer.refusals import not_found_text
from coach.app.allowed import ALLOWED, match
from coach.app.users import add_user, load_users

HR_QUESTION = "What are the salary bands for a Senior CSM?"
HR_ONLY_TEXT = "EUR 62,000"  # from hr/compensation-bands.md


def page_of(served, name: str, address: str = "127.0.0.1") -> Page:
    """A signed-in page, loaded (its state now belongs to `name`)."""
    page = Page(served.url, served.auth(name), address)
    assert page.call("start", [None, ""]).status == 200
    return page


def test_a_stolen_session_hash_opens_nothing(served):
    hugo = page_of(served, "hugo")
    asked = hugo.call("respond", [HR_QUESTION, None, "hr", "", ""])
    assert HR_ONLY_TEXT in str(asked.output)
    stolen = hugo.session  # it shows in URLs: /gradio_api/queue/data?session_hash=...
    hana = page_of(served, "hana")
    # Every way in with hugo's hash: his passages, his chat, his event stream, his heartbeat.
    assert hana.call("show_passages", [None], session=stolen, index=1, value="").status == 403
    assert hana.call("respond", ["And?", None, "", "", ""], session=stolen).status == 403
    assert hana.call("export", [None], session=stolen).status == 403
    assert hana.listen(stolen).status == 403
    assert hana.http.get(f"/gradio_api/heartbeat/{stolen}").status_code == 403
    # Hugo's own page is untouched and still his.
    shown = hugo.call("show_passages", [None], index=1, value="")
    assert HR_ONLY_TEXT in str(shown.output)


def test_deep_links_expose_no_session(served):
    hugo = page_of(served, "hugo")
    hugo.call("respond", [HR_QUESTION, None, "hr", "", ""])
    hana = page_of(served, "hana")
    for asker in (hana, hugo):
        link = asker.http.get("/gradio_api/deep_link", params={"session_hash": hugo.session})
        assert link.status_code == 404 and HR_ONLY_TEXT not in link.text


def test_exports_download_only_for_their_owner_while_they_exist(served):
    add_user(served.settings.users_file, "zoe", "csm", "zoe-password-1")
    zoe = Page(served.url, ("zoe", "zoe-password-1"))
    zoe.call("start", [None, ""])
    zoe.call("respond", ["How does a dual plan work?", None, "csm", "", ""])
    exported = zoe.call("export", [None]).output[0]["value"]
    path = f"/gradio_api/file={exported['path']}"
    mine = zoe.http.get(path)
    assert mine.status_code == 200 and "How does a dual plan work?" in mine.text
    for other in ("ana", "hugo"):
        assert page_of(served, other).http.get(path).status_code == 404
    assert httpx.get(served.url.rstrip("/") + path).status_code in (401, 404)  # not signed in
    result = run_cli(
        "users", "remove", "zoe", env={"COACH_USERS_FILE": str(served.settings.users_file)}
    )
    assert result.exit_code == 0, result.output
    assert zoe.http.get(path).status_code in (401, 404)  # a removed user downloads nothing
    assert zoe.call("respond", ["Still there?", None, "csm", "", ""]).status in (401, 403)


def test_uploads_are_for_hr_and_served_to_nobody(served):
    hugo = page_of(served, "hugo")
    uploaded = hugo.http.post(
        "/gradio_api/upload", files={"files": ("memo.md", b"# Memo\n\nHub plans for 2027.\n")}
    )
    assert uploaded.status_code == 200
    cached = uploaded.json()[0]
    for page in (page_of(served, "ana"), hugo):
        assert page.http.get(f"/gradio_api/file={cached}").status_code == 404
    refused = page_of(served, "ana").http.post(
        "/gradio_api/upload", files={"files": ("x.md", b"# X\n")}
    )
    assert refused.status_code == 403


@pytest.mark.parametrize("name", ["ana", "hana"])
def test_a_restricted_topic_reads_like_an_uncovered_one(served, name):
    persona = USERS[name][0]
    client = Client(served.url, auth=served.auth(name), verbose=False)
    reply = client.predict(HR_QUESTION, api_name="/chat")
    uncovered = client.predict("What are the sabbatical rules for a Senior CSM?", api_name="/chat")
    # Word for word what an uncovered topic gets, naming what was asked in both.
    assert uncovered == not_found_text(persona, "sabbatical rules")
    assert reply == not_found_text(persona, "salary bands")
    hugo = page_of(served, "hugo")
    gaps = hugo.call("gap_table", []).output[0]["data"]
    reasons = {row[2]: row[5] for row in gaps}
    # The uncovered topic is a gap in the documents; the restricted one is the rule working.
    assert reasons["What are the sabbatical rules for a Senior CSM?"] == (
        "not in the documents: sabbatical rules"
    )
    assert HR_QUESTION not in reasons


def test_sign_in_guessing_is_throttled_per_user_and_per_address(tmp_path, lumenfield):
    running = start_app(
        tmp_path,
        lumenfield,
        USERS,
        signin_failures_per_user=3,
        signin_failures_per_address=5,
    )
    try:

        def sign_in(name: str, password: str, address: str = "127.0.0.1") -> httpx.Response:
            transport = httpx.HTTPTransport(local_address=address)
            with httpx.Client(base_url=running.url, transport=transport) as http:
                return http.post("/login", data={"username": name, "password": password})

        for _ in range(3):
            assert sign_in("ana", "wrong-password").status_code == 400
        refused = sign_in("ana", USERS["ana"][1])  # even the right password, for a while
        assert throttled(refused) and int(refused.headers["retry-after"]) > 500
        assert sign_in("hana", USERS["hana"][1]).status_code == 200  # others are unaffected
        for _ in range(2):  # from an address of her own: this one has 3 failures already
            assert sign_in("hana", "wrong-password", "127.0.0.6").status_code == 400
        assert sign_in("hana", USERS["hana"][1], "127.0.0.6").status_code == 200  # clears both
        for _ in range(2):
            assert sign_in("hana", "wrong-password", "127.0.0.7").status_code == 400
        assert sign_in("hana", USERS["hana"][1], "127.0.0.7").status_code == 200
        # One address guessing many names is stopped too, while other addresses get in.
        for name in ("x1", "x2", "x3", "x4", "x5"):
            assert sign_in(name, "guess-password", "127.0.0.2").status_code == 400
        assert throttled(sign_in("hugo", USERS["hugo"][1], "127.0.0.2"))
        assert sign_in("hugo", USERS["hugo"][1], "127.0.0.3").status_code == 200
        # A burst from one address waits in its own line or is turned away at once: a real
        # user elsewhere signs in meanwhile.
        with concurrent.futures.ThreadPoolExecutor(12) as pool:
            burst = [
                pool.submit(sign_in, f"b{i}", "guess-password", "127.0.0.4") for i in range(12)
            ]
            real = sign_in("hana", USERS["hana"][1], "127.0.0.5")
            replies = [future.result() for future in burst]
        assert real.status_code == 200
        assert sum(map(throttled, replies)) >= 6, [r.json() for r in replies]
    finally:
        running.app.close()


def throttled(reply: httpx.Response) -> bool:
    """Refused by the throttle (a 400 like a wrong password, so the sign-in page shows it)."""
    return reply.status_code == 400 and "try again in" in reply.json()["detail"]


def test_an_over_long_password_is_a_plain_rejection(served):
    login = httpx.post(
        served.url.rstrip("/") + "/login", data={"username": "ana", "password": "p" * 100}
    )
    assert login.status_code == 400


def test_users_file_is_private_from_its_creation(tmp_path):
    users_file = tmp_path / "users.toml"
    add_user(users_file, "ana", "csm", "ana-password-1")
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    users_file.chmod(0o644)
    add_user(users_file, "ben", "csm", "ben-password-1")  # replaced by a new private file
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    assert set(load_users(users_file)) == {"ana", "ben"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_users_add_refuses_an_over_long_password_in_one_line(tmp_path):
    users_file = tmp_path / "users.toml"
    result = run_cli(
        "users",
        "add",
        "ana",
        "--role",
        "csm",
        "--password-stdin",
        stdin="é" * 40 + "\n",
        env={"COACH_USERS_FILE": str(users_file)},
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: the password is 80 bytes long: at most 72 bytes (bcrypt's limit) are allowed"
    ]
    assert not users_file.exists()


@pytest.mark.parametrize(
    "content, reason",
    [
        ("[users\nana = 1", "cannot read the users file"),
        ("[users.ana]\nrole = 'csm'\n", "needs a role and a bcrypt hash"),
        ("# nobody yet\n", "has no users"),
        (
            "[users.ana]\nrole = 'csm'\npassword_hash = '$2b$12$not-a-real-hash'\n",
            "'ana' has a password_hash that is not a bcrypt hash",
        ),
    ],
)
def test_serve_refuses_a_users_file_that_lets_nobody_in(tmp_path, content, reason):
    users_file = tmp_path / "users.toml"
    users_file.write_text(content)
    result = run_cli(
        "serve",
        "--knowledge",
        str(tmp_path),
        env={"COACH_USERS_FILE": str(users_file), "COACH_DATA_DIR": str(tmp_path / "data")},
    )
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and reason in lines[0]


def test_an_upper_case_sidecar_keeps_its_audience(served, tmp_path):
    hugo = page_of(served, "hugo")
    plan = "Hub plan 2027. The Austin hub closes in March 2027; its CSMs move to Denver."
    files = [
        ("hub-plan.pdf", make_pdf(tmp_path / "hub-plan.pdf", plan).read_bytes()),
        ("hub-plan.pdf.META.YAML", b"title: Hub plan 2027\naudience: hr\n"),
    ]
    uploaded = hugo.http.post("/gradio_api/upload", files=[("files", f) for f in files])
    assert uploaded.status_code == 200, uploaded.text
    picked = [
        {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
        for path, (name, _) in zip(uploaded.json(), files, strict=True)
    ]
    result = hugo.call("upload", [picked, "plans", False])
    assert "Saved** `plans/hub-plan.pdf`" in str(result.output), result
    question = "When does the Austin hub close, and where do its CSMs move?"
    for name in ("ana", "hana"):
        reply = Client(served.url, auth=served.auth(name), verbose=False).predict(
            question, api_name="/chat"
        )
        assert "Denver" not in reply and "hub-plan.pdf" not in reply
    reply = Client(served.url, auth=served.auth("hugo"), verbose=False).predict(
        question, api_name="/chat"
    )
    assert "Denver" in reply and "plans/hub-plan.pdf" in reply
    rows = hugo.call("document_table", []).output[0]["data"]
    assert [row[2] for row in rows if row[1] == "plans/hub-plan.pdf"] == ["hr"]


def gradio_routes(routes, prefix: str = "") -> list[tuple[str, str]]:
    """(method, path template) of every route the running app has, routers included."""
    found = []
    for route in routes:
        inner = getattr(route, "routes", None) or getattr(
            getattr(route, "original_router", None), "routes", None
        )
        if inner is not None and not hasattr(route, "endpoint"):
            found += gradio_routes(inner, prefix + (getattr(route, "path", "") or ""))
            continue
        for method in getattr(route, "methods", None) or ["GET"]:
            found.append((method, prefix + route.path))
    return found


def test_every_route_is_allowed_by_name_or_refused(served):
    """A Gradio upgrade that adds a route fails here, not in front of users."""
    routes = gradio_routes(served.app.app.routes)
    assert len(routes) > 60  # the walk reached Gradio's API router
    hugo = page_of(served, "hugo")
    listed = {(m, a.path) for a in ALLOWED for m in a.methods}
    for method, template in routes:
        concrete = re.sub(r"\{[^}]+\}", "x", template)
        found = match(method, concrete)
        if found is not None:
            assert (method, found.route.path) in listed
            continue
        refused = hugo.http.request(method, concrete)  # HR, the widest role, signed in
        assert refused.status_code == 404, template
        assert method == "HEAD" or refused.json() == {"detail": "Not found."}, template
    # Every allowed route is one the app has (no stale entry opens a future route unchecked).
    templates = set(routes)
    for method, path in listed:
        assert (method, path) in templates, path


def test_a_call_route_streams_only_the_callers_events(served):
    hugo = page_of(served, "hugo")
    hugo.call("respond", [HR_QUESTION, None, "hr", "", ""])
    hana = page_of(served, "hana")
    # An id that is no event is taken by Gradio as a session hash: hugo's, here.
    for api in ("chat", "anything", "gap_csv"):
        stolen = hana.http.get(f"/gradio_api/call/{api}/{hugo.session}")
        assert stolen.status_code in (403, 404) and HR_ONLY_TEXT not in stolen.text, api
    # The documented curl flow works for its caller, and its event is nobody else's.
    queued = hana.http.post(
        "/gradio_api/call/chat", json={"data": ["How do CSMs grow here?", "", "", ""]}
    )
    assert queued.status_code == 200, queued.text
    event = queued.json()["event_id"]
    assert page_of(served, "ana").http.get(f"/gradio_api/call/chat/{event}").status_code == 403
    mine = hana.http.get(f"/gradio_api/call/chat/{event}")
    assert mine.status_code == 200 and "event: complete" in mine.text


def test_private_handlers_and_monitoring_are_unreachable(served):
    hugo = page_of(served, "hugo")  # HR: the desk's handlers are hers on the page, not here
    for path in (
        "/gradio_api/api/gap_csv",
        "/gradio_api/run/gap_csv",
        "/gradio_api/call/gap_csv",
        "/gradio_api/call/v2/gap_csv",
        "/gradio_api/api/chat",
    ):
        assert hugo.http.post(path, json={"data": []}).status_code == 404, path
    for path in ("/monitoring", "/monitoring/summary", "/gradio_api/token", "/openapi.json"):
        assert hugo.http.get(path).status_code == 404, path


def test_files_are_served_to_their_owner_on_no_other_route(served):
    ana = page_of(served, "ana")
    ana.call("respond", ["How does a dual plan work?", None, "csm", "", ""])
    exported = ana.call("export", [None]).output[0]["value"]["path"]
    assert ana.http.get(f"/gradio_api/file={exported}").status_code == 200
    for page in (ana, page_of(served, "hugo")):  # Gradio's older spelling serves nobody
        assert page.http.get(f"/gradio_api/file/{exported}").status_code == 404
        assert page.http.get(f"/gradio_api/file{exported}").status_code == 404


@pytest.mark.parametrize(
    "content_type", ["Application/JSON", "application/vnd.x+json", "application/json; charset=x"]
)
def test_any_json_body_is_checked_for_its_session(served, content_type):
    hugo = page_of(served, "hugo")
    hana = page_of(served, "hana")
    for path, body in (
        ("/gradio_api/queue/join", {"data": [], "fn_index": 0, "session_hash": hugo.session}),
        ("/gradio_api/cancel", {"event_id": "x", "fn_index": 0, "session_hash": hugo.session}),
    ):
        sent = hana.http.post(
            path, content=json.dumps(body), headers={"content-type": content_type}
        )
        assert sent.status_code == 403, (path, sent.text)


def test_a_body_the_guard_cannot_read_is_refused(served):
    hana = page_of(served, "hana")
    join = "/gradio_api/queue/join"
    broken = hana.http.post(
        join, content=b'{"session_hash": ', headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    assert (
        hana.http.post(join, content=b"x", headers={"content-type": "text/plain"}).status_code
        == 415
    )
    untyped = hana.http.post(join, content=json.dumps({"session_hash": 7}).encode())
    assert untyped.status_code == 400
    assert hana.http.get("/gradio_api/queue/data").status_code == 400  # names no session
    deep = hana.http.post(
        join, content=b"[" * 200_000, headers={"content-type": "application/json"}
    )
    assert deep.status_code == 400  # nested past Python's recursion limit: refused, not a 500
    nul = hana.http.get("/gradio_api/file=/tmp/a%00b")
    assert nul.status_code == 404  # a NUL byte names no one's file
    hugo = page_of(served, "hugo")
    disguised = hugo.http.post(
        "/gradio_api/upload",
        content=b"x",
        headers={"content-type": "text/plain; x=multipart/form-data"},
    )
    assert disguised.status_code == 415  # the type is parsed, not searched for a word
    stranger = httpx.get(
        served.url.rstrip("/") + f"/gradio_api/queue/data?session_hash={hugo.session}"
    )
    assert stranger.status_code == 401  # not signed in, whatever session it names


def test_multipart_and_url_encoded_sign_ins_count_alike(tmp_path, lumenfield):
    running = start_app(
        tmp_path, lumenfield, USERS, signin_failures_per_user=3, signin_failures_per_address=50
    )
    try:
        http = httpx.Client(base_url=running.url)

        def multipart(name: str, password: str) -> httpx.Response:
            form = {"username": (None, name), "password": (None, password)}
            return http.post("/login", files=form)  # what Gradio's page sends

        def encoded(name: str, password: str) -> httpx.Response:
            return http.post("/login", data={"username": name, "password": password})

        # Guessing a name that does not exist locks that name only, not every browser sign-in.
        for _ in range(5):
            assert multipart("nobody", "guess-password").status_code == 400
        assert multipart("ana", USERS["ana"][1]).status_code == 200
        # A user locked through one encoding is locked through the other.
        for _ in range(3):
            assert encoded("hana", "wrong-password").status_code == 400
        assert throttled(multipart("hana", USERS["hana"][1]))
        for _ in range(3):
            assert multipart("hugo", "wrong-password").status_code == 400
        assert throttled(encoded("hugo", USERS["hugo"][1]))
        # Neither form nor with a name: refused before any password check, counted nowhere.
        as_json = http.post("/login", json={"username": "ana", "password": USERS["ana"][1]})
        assert as_json.status_code == 400
        assert encoded("", "whatever-password").status_code == 400
        assert multipart("ana", USERS["ana"][1]).status_code == 200
    finally:
        running.app.close()


def test_log_out_revokes_every_token_the_browser_holds(served):
    login = httpx.post(served.url + "login", data={"username": "ana", "password": "ana-password-1"})
    assert login.status_code == 200
    tokens = {c.name: c.value for c in login.cookies.jar if c.name.startswith("access-token")}
    assert len(tokens) == 2  # Gradio's secure cookie and its plain-HTTP twin
    for name, value in tokens.items():  # each alone signs in...
        assert httpx.get(served.url + "config", cookies={name: value}).status_code == 200
    plain = {n: v for n, v in tokens.items() if "unsecure" in n}  # all plain HTTP keeps
    out = httpx.get(served.url + "logout", params={"all_session": "false"}, cookies=plain)
    assert out.status_code in (302, 307)
    for name, value in tokens.items():  # ...and neither does after Log out
        assert httpx.get(served.url + "config", cookies={name: value}).status_code == 401

