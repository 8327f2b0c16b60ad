"""API tokens and their roles, stored hashed in DATA_DIR/tokens.json (mode 0600).

A token is `ppkg_` + 32 random bytes in URL-safe base64. Only its SHA-256 is stored, with the
name it was issued to, its role, when it was created and, once revoked, when. The plain token is
shown once, by `ppkg token create NAME --role ROLE`, and never stored or logged.

Roles, each allowed what the one before it is: a **contributor** submits (an archivist reviews
the submission before it is published); an **archivist** also reviews: accepts or rejects
submissions, publishes their own at once (recorded as self-reviewed) and withdraws published ones;
an **admin** is an archivist who also manages tokens (today from the shell, where the data dir is).
Tokens issued before roles existed keep working as archivists (admin tokens as admins).

Names identify archivists in the provenance records (prov:wasAttributedTo), so a name is never
reused, even after its token is revoked: a submission's name always means the same token.

`Tokens` is what every kind of storage shares; `TokenStore` keeps them in the data dir's file,
rewritten atomically (temp file, fsync, rename) under the writers' lock (ppkg.changelog.locked);
ppkg.durable.postgres.tokens keeps them in PostgreSQL. The server reads them on each
authenticated request, so tokens created or revoked by the command take effect at once. With no
active token, the submissions API is disabled (ppkg.web.submissions answers 403).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ppkg.store.changelog import ensure_dir, locked, write_atomically

TOKENS_FILE = "tokens.json"
TOKEN_PREFIX = "ppkg_"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
ROLES = ("contributor", "archivist", "admin")  # each may do what the ones before it may


class TokenError(ValueError):
    """A token cannot be created or revoked (bad or reused name, unknown name)."""


@dataclass
class Token:
    name: str
    sha256: str  # hex digest of the plain token
    role: str  # one of ROLES
    created: str  # ISO 8601, UTC
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None

    def may(self, role: str) -> bool:
        """Is this token allowed what `role` is allowed?"""
        return ROLES.index(self.role) >= ROLES.index(role)

    def to_json(self) -> dict:
        return {"name": self.name, "sha256": self.sha256, "role": self.role,
                "created": self.created, "revoked": self.revoked}

    @classmethod
    def from_json(cls, raw: dict) -> "Token":
        """A stored token; one stored before roles existed is an archivist (or an admin)."""
        role = raw.get("role") or ("admin" if raw.get("admin") else "archivist")
        if role not in ROLES:
            raise TokenError(f"token {raw.get('name')!r} has an unknown role {role!r}")
        return cls(name=raw["name"], sha256=raw["sha256"], role=role, created=raw["created"],
                   revoked=raw.get("revoked"))


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class Tokens(ABC):
    """Issued tokens, wherever they are kept."""

    @abstractmethod
    def load(self) -> list[Token]:
        """All tokens, active and revoked."""

    @abstractmethod
    def _add(self, token: Token) -> None:
        """Store a new token; TokenError if its name has been used."""

    @abstractmethod
    def revoke(self, name: str) -> Token:
        """Revoke the active token of that name (TokenError if there is none)."""

    def describe(self) -> str:
        return "the token store"

    def active(self) -> list[Token]:
        return [t for t in self.load() if t.active]

    def enabled(self) -> bool:
        """Is there at least one active token? (Without one, submissions are disabled.)"""
        try:
            return bool(self.active())
        except TokenError:
            return False

    def authenticate(self, plain: str | None) -> Token | None:
        """The active token whose hash matches `plain`, or None."""
        if not plain:
            return None
        digest = hash_token(plain.strip())
        found = None
        for token in self.active():
            if hmac.compare_digest(token.sha256, digest):
                found = token
        return found

    def create(self, name: str, role: str = "contributor") -> tuple[str, Token]:
        """Issue a token: returns (the plain token, shown once; its stored record)."""
        if role not in ROLES:
            raise TokenError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
        if not NAME_PATTERN.match(name):
            raise TokenError(f"invalid name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                             "starting with a letter or digit")
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = Token(name=name, sha256=hash_token(plain), role=role, created=now_iso())
        self._add(token)
        return plain, token


def name_used(name: str) -> TokenError:
    return TokenError(f"the name {name!r} has been used already (names are never reused, since "
                      "submissions are attributed to them)")


class TokenStore(Tokens):
    """Tokens in DATA_DIR/tokens.json."""

    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / TOKENS_FILE

    def describe(self) -> str:
        return str(self.data_dir)

    def load(self) -> list[Token]:
        """All tokens, active and revoked ([] when the file does not exist)."""
        try:
            raw = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as err:
            raise TokenError(f"{self.path}: cannot be read: {err}") from None
        try:
            return [Token.from_json(t) for t in raw.get("tokens", [])]
        except (KeyError, TypeError, AttributeError) as err:
            raise TokenError(f"{self.path}: not a token list: {err}") from None

    def _add(self, token: Token) -> None:
        with locked(self.data_dir):
            tokens = self.load()
            if any(t.name == token.name for t in tokens):
                raise name_used(token.name)
            tokens.append(token)
            self._save(tokens)

    def revoke(self, name: str) -> Token:
        with locked(self.data_dir):
            tokens = self.load()
            for token in tokens:
                if token.name == name and token.active:
                    token.revoked = now_iso()
                    self._save(tokens)
                    return token
        raise TokenError(f"no active token named {name!r}")

    def _save(self, tokens: list[Token]) -> None:
        ensure_dir(self.data_dir)
        data = json.dumps({"tokens": [t.to_json() for t in tokens]}, indent=2).encode() + b"\n"
        write_atomically(self.path, data, mode=0o600)
        os.chmod(self.path, 0o600)
