"""The command line, in process (sharing the session's model) and as a real subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import role_doc, run_cli, write


def test_config_shows_overrides_and_masks_secrets(kb, tmp_path):
    result = run_cli(
        "config",
        "--knowledge",
        str(kb),
        "--data",
        str(tmp_path / "d"),
        "--json",
        env={"OPENAI_API_KEY": "sk-very-secret-1234", "COACH_MAX_FILE_MB": "5"},
    )
    shown = json.loads(result.stdout)
    assert shown["knowledge_dir"] == str(kb) and shown["data_dir"] == str(tmp_path / "d")
    assert shown["max_file_mb"] == 5.0
    assert shown["openai_api_key"] == "****1234" and "very-secret" not in result.stdout


def test_bad_setting_is_a_one_line_usage_error():
    result = run_cli("config", env={"COACH_DEFAULT_AUDIENCE": "everyone"})
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: invalid setting default_audience")
    assert len(result.stderr.strip().splitlines()) == 1


def test_index_json_reports_the_sync(kb, tmp_path, embeddings):
    write(kb, "a.md", role_doc("csm-1", "CSM I", "Own twenty accounts."))
    write(kb, "broken.md", "---\naudience: secret\n---\nText\n")
    data = tmp_path / "data"
    result = run_cli("index", "--knowledge", str(kb), "--data", str(data), "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert set(report) >= {
        "added",
        "updated",
        "unchanged",
        "removed",
        "failed",
        "documents",
        "chunks",
        "seconds",
    }
    assert report["added"] == 1 and report["documents"] == 1 and report["chunks"] >= 1
    assert report["failed"] == [{"path": "broken.md", "error": report["failed"][0]["error"]}]
    assert "unknown audience 'secret'" in report["failed"][0]["error"]

    (kb / "broken.md").unlink()
    again = run_cli("index", "--knowledge", str(kb), "--data", str(data), "--json")
    assert again.exit_code == 0 and json.loads(again.stdout)["unchanged"] == 1


def test_missing_knowledge_folder_exits_2(tmp_path):
    result = run_cli("index", "--knowledge", str(tmp_path / "nope"), "--data", str(tmp_path / "d"))
    assert result.exit_code == 2 and "knowledge folder not found" in result.stderr


def test_unknown_option_exits_2():
    assert run_cli("index", "--no-such-flag").exit_code == 2


def test_check_finds_schema_and_link_problems(kb, tmp_path):
    write(kb, "a.md", role_doc("csm-1", "CSM I", "Text.", next_roles="[csm-9]"))
    write(kb, "b.md", role_doc("csm-1", "CSM One", "Text."))
    write(kb, "c.md", "---\ntitle: Lead\ndoc_type: role\naudience: employee\n---\nText\n")
    write(kb, "d.md", "# Notes from elsewhere\n\nText.\n")
    result = run_cli("check", "--knowledge", str(kb), "--data", str(tmp_path / "d"), "--json")
    assert result.exit_code == 1
    found = {(p["path"], p["severity"], p["message"]) for p in json.loads(result.stdout)}
    assert ("a.md", "error", "next_roles names unknown role 'csm-9'") in found
    assert ("b.md", "error", "role_id 'csm-1' is already used by a.md") in found
    assert ("c.md", "error", "role document lacks role_id, track, level") in found
    assert ("d.md", "warning", "no audience given: indexed with the default") in found
    assert not (tmp_path / "d").exists(), "check must not index"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_index_into_a_chroma_server(kb, tmp_path, chroma_server, embeddings):
    write(kb, "a.md", role_doc("csm-1", "CSM I", "Own twenty accounts."))
    env = {"COACH_CHROMA_URL": chroma_server.url}
    first = run_cli(
        "index", "--knowledge", str(kb), "--data", str(tmp_path / "d"), "--json", env=env
    )
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["chunks"] == 1
    import chromadb

    port = chroma_server.port
    collection = chromadb.HttpClient(host="127.0.0.1", port=port).get_collection("coach_knowledge")
    assert collection.get()["metadatas"][0]["path"] == "a.md"
    again = run_cli(
        "index", "--knowledge", str(kb), "--data", str(tmp_path / "d"), "--json", env=env
    )
    assert json.loads(again.stdout)["unchanged"] == 1


def test_unreachable_chroma_server_is_a_one_line_error(kb, tmp_path):
    write(kb, "a.md", "# A\n\nText.\n")
    env = {"COACH_CHROMA_URL": f"http://127.0.0.1:{free_port()}"}
    result = run_cli("index", "--knowledge", str(kb), "--data", str(tmp_path / "d"), env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1


def test_console_script_runs_in_a_fresh_process(kb, tmp_path):
    write(kb, "a.md", "# A\n\nText.\n")
    coach = Path(sys.executable).with_name("coach")
    env = {k: v for k, v in os.environ.items() if not k.startswith("COACH_")}
    done = subprocess.run(
        [str(coach), "check", "--knowledge", str(kb)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0 and "0 error(s)" in done.stdout
