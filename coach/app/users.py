"""The users file: who may sign in, with which role (and so which audiences); bcrypt hashes."""

from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import tomlkit
import yaml
from tomlkit.exceptions import TOMLKitError

from coach.errors import ConfigError, one_line
from coach.personas import PERSONA_IDS

log = logging.getLogger(__name__)

ROLES = PERSONA_IDS  # a user's role is the widest persona the server answers them as
MIN_PASSWORD = 8
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further, and bcrypt 5 raises rather than truncate
_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
# A bcrypt hash as bcrypt writes it: version, cost 04-31, 22 characters of salt and 31 of hash.
_BCRYPT = re.compile(r"^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$")


@dataclass(frozen=True)
class User:
    """One account: its name and role."""

    name: str
    role: str


@dataclass(frozen=True, kw_only=True)
class Account:
    """A user as the users file holds them: who, and their password's bcrypt hash."""

    user: User
    password_hash: bytes


def is_yaml(path: Path) -> bool:
    """A users file ending in .yaml or .yml is YAML; anything else is TOML."""
    return path.suffix.lower() in {".yaml", ".yml"}


def _read(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    if is_yaml(path):
        return yaml.safe_load(text) or {}
    return tomlkit.parse(text)


def load_users(path: Path) -> dict[str, Account]:
    """Every user with their password hash; a malformed file is a one-line ConfigError."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read the users file {path}: {exc.strerror}") from None
    # Read again only when the file changed: the app asks on every request.
    return _load_users(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _load_users(path: Path, mtime_ns: int, size: int) -> dict[str, Account]:
    try:
        document = _read(path)
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, TOMLKitError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read the users file {path}: {one_line(exc)}") from None
    table = document.get("users", {}) if isinstance(document, dict) else None
    if not isinstance(table, dict):
        raise ConfigError(f"users file {path}: expected a 'users' table of NAME: role + hash")
    users = {}
    for name, entry in table.items():
        if not isinstance(entry, dict):
            raise ConfigError(f"users file {path}: user {name!r} needs a role and a bcrypt hash")
        role, hashed = entry.get("role"), entry.get("password_hash", "")
        if role not in ROLES or not hashed or not isinstance(hashed, str):
            raise ConfigError(f"users file {path}: user {name!r} needs a role and a bcrypt hash")
        if not _BCRYPT.match(hashed):  # bcrypt would raise "Invalid salt" at their sign-in
            raise ConfigError(
                f"users file {path}: user {name!r} has a password_hash that is not a bcrypt "
                "hash: set it again with `coach users add NAME --role ROLE --replace`"
            )
        users[name] = Account(user=User(name, role), password_hash=str(hashed).encode())
    return users


def add_user(path: Path, name: str, role: str, password: str, replace: bool = False) -> User:
    """Write a user with a bcrypt-hashed password; refuse to overwrite one unless asked."""
    if not _NAME.match(name):
        raise ConfigError(f"user name {name!r}: use lower-case letters, digits and . _ @ -")
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r} (expected one of: {', '.join(ROLES)})")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"the password needs at least {MIN_PASSWORD} characters")
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ConfigError(
            f"the password is {len(password.encode())} bytes long: at most "
            f"{MAX_PASSWORD_BYTES} bytes (bcrypt's limit) are allowed"
        )
    if name in load_users(path) and not replace:
        raise ConfigError(f"user {name!r} already exists (use --replace to change it)")
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()
    if is_yaml(path):
        document = _read(path) if path.exists() else {}
        document.setdefault("users", {})[name] = {"role": role, "password_hash": hashed}
    else:  # tomlkit keeps the comments and layout an admin gave the file
        document = _read(path) if path.exists() else tomlkit.document()
        entry = tomlkit.table()
        entry["role"] = role
        entry["password_hash"] = hashed
        document.setdefault("users", tomlkit.table())[name] = entry
    _write_private(path, _dumps(path, document))
    return User(name, role)


def remove_user(path: Path, name: str) -> None:
    """Delete a user from the users file; their open sessions end at their next request."""
    if name not in load_users(path):
        raise ConfigError(f"no user {name!r} in {path}")
    document = _read(path)
    del document["users"][name]
    _write_private(path, _dumps(path, document))


def _dumps(path: Path, document: dict) -> str:
    """The users file's text, in the format its suffix names."""
    return yaml.safe_dump(document, sort_keys=False) if is_yaml(path) else tomlkit.dumps(document)


def _write_private(path: Path, text: str) -> None:
    """Replace the file atomically with one readable by this account only (mode 600 from its
    creation: never a moment where others may read it), so the app never reads half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 600
    except OSError as exc:
        raise ConfigError(f"cannot write the users file {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ConfigError(f"cannot write the users file {path}: {exc.strerror}") from None


def authenticate(path: Path, name: str, password: str) -> User | None:
    """The user if the password matches, else None (unknown names cost the same time)."""
    try:
        users = load_users(path)
    except ConfigError as exc:  # edited into a broken state while the app runs: nobody gets in
        log.error("sign-in refused: %s", exc)
        return None
    account = users.get(name)
    user = account.user if account else None
    hashed = account.password_hash if account else _dummy_hash()
    secret = password.encode()
    if len(secret) > MAX_PASSWORD_BYTES:  # no account has such a password: bcrypt would raise
        secret = b""
        user = None
    matches = bcrypt.checkpw(secret, hashed)
    return user if matches and user is not None else None


def check_users_file(path: Path) -> None:
    """Refuse to serve with a users file that lets nobody in: unreadable, malformed or empty."""
    if path.exists() and not load_users(path):
        raise ConfigError(f"users file {path} has no users: add one with `coach users add`")


@functools.cache
def _dummy_hash() -> bytes:
    """Checked against when the name is unknown, so timing does not reveal which names exist."""
    return bcrypt.hashpw(b"no such user", bcrypt.gensalt())
