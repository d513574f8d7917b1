"""The users file and `coach users add`."""

from __future__ import annotations

import pytest
from helpers import run_cli

from coach.app.users import add_user, authenticate, load_users
from coach.errors import ConfigError


def test_add_then_authenticate(tmp_path):
    path = tmp_path / "users.toml"
    add_user(path, "ana", "hr", "correct horse")
    add_user(path, "ben", "csm", "battery staple")
    assert authenticate(path, "ana", "correct horse").role == "hr"
    assert authenticate(path, "ana", "wrong password") is None
    assert authenticate(path, "nobody", "correct horse") is None
    assert "correct horse" not in path.read_text()  # only the bcrypt hash is stored
    assert {name: account.user.role for name, account in load_users(path).items()} == {
        "ana": "hr",
        "ben": "csm",
    }


@pytest.mark.parametrize(
    ("name", "role", "password", "words"),
    [
        ("ana", "admin", "long enough", "unknown role 'admin'"),
        ("Ana Maria", "csm", "long enough", "user name"),
        ("ana", "csm", "short", "at least 8 characters"),
    ],
)
def test_bad_users_are_refused(tmp_path, name, role, password, words):
    with pytest.raises(ConfigError, match=words):
        add_user(tmp_path / "users.toml", name, role, password)


def test_existing_user_needs_replace(tmp_path):
    path = tmp_path / "users.toml"
    add_user(path, "ana", "csm", "first password")
    with pytest.raises(ConfigError, match="already exists"):
        add_user(path, "ana", "hr", "second password")
    add_user(path, "ana", "hr", "second password", replace=True)
    assert authenticate(path, "ana", "second password").role == "hr"


def test_yaml_users_file(tmp_path):
    path = tmp_path / "users.yaml"
    add_user(path, "ana", "hiring_manager", "correct horse")
    add_user(path, "ben", "hr", "battery staple")
    assert path.read_text().startswith("users:\n  ana:\n    role: hiring_manager\n")
    assert authenticate(path, "ben", "battery staple").role == "hr"
    path.write_text("users: [ana, ben]\n")
    with pytest.raises(ConfigError, match="expected a 'users' table"):
        load_users(path)
    path.write_text("users:\n  ana: {role: csm\n")
    with pytest.raises(ConfigError, match="cannot read the users file"):
        load_users(path)


def test_malformed_users_file_is_one_line(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users.ana]\nrole = "root"\npassword_hash = "x"\n')
    with pytest.raises(ConfigError, match="needs a role and a bcrypt hash"):
        load_users(path)


def test_cli_reads_the_password_from_stdin(tmp_path):
    path = tmp_path / "users.toml"
    env = {"COACH_USERS_FILE": str(path)}
    done = run_cli(
        "users",
        "add",
        "ana",
        "--role",
        "hiring_manager",
        "--password-stdin",
        stdin="s3cret-pass\n",
        env=env,
    )
    assert done.exit_code == 0, done.output
    assert authenticate(path, "ana", "s3cret-pass").role == "hiring_manager"
    bad = run_cli(
        "users",
        "add",
        "bo",
        "--role",
        "boss",
        "--password-stdin",
        stdin="whatever-pass\n",
        env=env,
    )
    assert bad.exit_code == 2 and "unknown role 'boss'" in bad.stderr
