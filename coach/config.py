"""Settings: one pydantic-settings class, read from COACH_* variables and .env."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from coach.errors import ConfigError
from coach.personas import Audience


class Settings(BaseSettings):
    """Every knob coach has, each with a default; built once and passed in."""

    model_config = SettingsConfigDict(
        env_prefix="COACH_", env_file=".env", extra="ignore", validate_default=True
    )

    # Where things live -----------------------------------------------------------------------
    knowledge_dir: Path = Field(Path("knowledge"), description="Folder of documents HR maintains.")
    data_dir: Path = Field(
        Path(".coach"), description="Where the embedded index and app data live."
    )
    chroma_url: str | None = Field(
        None, description="Chroma server URL (http://host:port); unset uses the embedded store."
    )
    collection: str = Field("coach_knowledge", description="Chroma collection name.")

    # Ingest: reading documents, and what a hostile file may cost ----------------------------
    default_audience: Audience = Field(
        "employee", description="Audience of documents whose front matter names none."
    )
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are refused.")
    file_timeout_s: float = Field(
        30.0, gt=0, description="Seconds one file may take to read and convert before it fails."
    )
    file_memory_mb: int = Field(
        1024,
        ge=64,
        description="Memory (MB) one file may take to read and convert before it fails; "
        "a DOCX may expand to a quarter of it.",
    )

    # Index: chunks and embeddings -------------------------------------------------------------
    chunk_size: int = Field(1200, ge=200, description="Maximum characters per chunk.")
    chunk_overlap: int = Field(150, ge=0, description="Characters shared by neighbouring chunks.")
    embedding_provider: Literal["minilm", "openai"] = Field(
        "minilm", description="minilm: bundled all-MiniLM-L6-v2 on CPU; openai: an API endpoint."
    )
    embedding_model: str = Field(
        "text-embedding-3-small", description="Model name when embedding_provider is openai."
    )
    embedding_batch_size: int = Field(32, ge=1, description="Chunks embedded per model call.")
    model_cache_dir: Path = Field(
        default_factory=lambda: default_model_cache(),
        description="Where the bundled MiniLM's ONNX export is kept, once per machine.",
    )

    # Answers --------------------------------------------------------------------------------
    top_k: int = Field(5, ge=1, le=50, description="Sources retrieved per question.")
    tell_restricted: bool = Field(
        False,
        description="Tell CSMs and hiring managers when only a document they may not read "
        "answers a question; by default that reads exactly like 'not in the documents'.",
    )

    # LLM (unset: offline answers) -----------------------------------------------------------
    llm_model: str | None = Field(
        None, description="Chat model of an OpenAI-compatible endpoint; unset = offline mode."
    )
    llm_gguf_path: Path | None = Field(
        None, description="A local GGUF file served in-process (extra 'local')."
    )
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("COACH_OPENAI_API_KEY", "OPENAI_API_KEY"),
        description="API key for the OpenAI-compatible endpoint.",
    )
    openai_base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("COACH_OPENAI_BASE_URL", "OPENAI_BASE_URL"),
        description="Base URL of the OpenAI-compatible endpoint.",
    )
    llm_timeout_s: float = Field(
        30.0, gt=0, description="Seconds to wait for the LLM before answering offline."
    )
    llm_max_tokens: int = Field(800, ge=16, description="Longest answer the LLM may write.")
    llm_max_retries: int = Field(1, ge=0, description="Retries of a failed LLM request.")

    # App: storage, sign-in, serving ---------------------------------------------------------
    database_url: str | None = Field(
        None, description="SQLAlchemy URL for conversations and feedback; unset = SQLite in data."
    )
    users_file: Path = Field(
        Path("users.toml"), description="Accounts and roles; without it the app is a local demo."
    )
    signin_failures_per_user: int = Field(
        5, ge=1, description="Failed sign-ins per user name in the window before more are refused."
    )
    signin_failures_per_address: int = Field(
        20, ge=1, description="Failed sign-ins per client address in the window, likewise."
    )
    signin_window_s: int = Field(
        600, ge=1, description="Seconds over which failed sign-ins are counted."
    )
    host: str = Field(
        "127.0.0.1", description="Address the app listens on; others than loopback need users."
    )
    port: int = Field(7860, ge=1, le=65535, description="Port the app listens on.")
    concurrency: int = Field(
        8, ge=1, le=64, description="Questions the app answers at once; the rest wait in line."
    )
    log_level: str = Field("WARNING", description="Logging level for the coach loggers.")

    @field_validator("collection")
    @classmethod
    def _collection_name(cls, value: str) -> str:
        # Chroma rejects names shorter than three characters with an opaque error.
        if len(value) < 3:
            raise ValueError("must be at least 3 characters")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value.upper()

    @property
    def effective_database_url(self) -> str:
        """The configured database, or SQLite in the data dir."""
        return self.database_url or f"sqlite:///{self.data_dir / 'coach.db'}"

    @property
    def max_file_bytes(self) -> int:
        """The size limit in bytes."""
        return int(self.max_file_mb * 1024 * 1024)

    def describe(self) -> dict[str, object]:
        """The effective settings as plain values, secrets masked."""
        shown: dict[str, object] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                secret = value.get_secret_value()
                # Show the last characters of a long key only, enough to tell keys apart.
                value = "****" + secret[-4:] if len(secret) > 12 else "****" if secret else ""
            elif isinstance(value, Path):
                value = str(value)
            elif name == "database_url" and value:
                value = re.sub(r"(//[^:/@]+):[^@]*@", r"\1:****@", value)
            shown[name] = value
        return shown


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment plus explicit overrides (None means not given)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting {field}: {first['msg']}") from None


def default_model_cache() -> Path:
    """$XDG_CACHE_HOME/coach (~/.cache/coach): models derived from the bundled one."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "coach"
