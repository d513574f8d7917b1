"""Raw HTTP as Gradio's page sends it (sign-in, queue/join, queue/data), for attack tests."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field

import httpx


@dataclass
class Outcome:
    """What one event returned: the HTTP status of the join, and the outputs if it ran."""

    status: int
    output: list | None = None
    error: str = ""
    messages: list[dict] = field(default_factory=list)


class Page:
    """One signed-in browser page: its cookies, its session hash, the app's event ids."""

    def __init__(self, url: str, auth: tuple[str, str] | None, address: str = "127.0.0.1"):
        transport = httpx.HTTPTransport(local_address=address)
        self.http = httpx.Client(base_url=url, transport=transport, timeout=60)
        self.session = secrets.token_hex(6)  # what the page's Math.random() picks
        if auth is not None:
            reply = self.http.post("/login", data={"username": auth[0], "password": auth[1]})
            assert reply.status_code == 200, reply.text
        config = self.http.get("/config").json()
        self.events = {d["api_name"]: d for d in config["dependencies"]}

    def call(self, handler: str, data: list, session: str | None = None, **event) -> Outcome:
        """Trigger one of the page's events as the page would, under `session` (default own)."""
        dependency = self.events[handler]
        session = session or self.session
        body = {
            "data": data,
            "event_data": event or None,
            "fn_index": dependency["id"],
            "trigger_id": (dependency["targets"] or [[None]])[0][0],
            "session_hash": session,
        }
        joined = self.http.post("/gradio_api/queue/join", json=body)
        if joined.status_code != 200:
            return Outcome(joined.status_code, error=joined.text)
        outcome = self.listen(session)
        return outcome

    def listen(self, session: str | None = None) -> Outcome:
        """Read a session's event stream until its event completes."""
        path = "/gradio_api/queue/data"
        with self.http.stream("GET", path, params={"session_hash": session or self.session}) as r:
            if r.status_code != 200:
                r.read()
                return Outcome(r.status_code, error=r.text)
            messages = []
            for line in r.iter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                messages.append(message)
                if message.get("msg") == "process_completed":
                    output = message.get("output") or {}
                    return Outcome(200, output.get("data"), output.get("error") or "", messages)
        return Outcome(200, None, "stream closed", messages)
