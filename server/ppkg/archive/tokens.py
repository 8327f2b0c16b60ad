"""Archivists' API tokens, stored hashed in DATA_DIR/tokens.json (mode 0600).

A token is `ppkg_` + 32 random bytes in URL-safe base64. Only its SHA-256 is stored, with the
name it was issued to, whether it is an admin token, when it was created and, once revoked, when.
The plain token is shown once, by `ppkg token create NAME`, and never stored or logged.

Names identify archivists in the provenance records (prov:wasAttributedTo), so a name is never
reused, even after its token is revoked: a submission's name always means the same token.

The file is rewritten atomically (temp file, fsync, rename) under the writers' lock
(ppkg.changelog.locked). The server reads it on each authenticated request, so tokens created or
revoked by the command take effect at once. With no active token, the submissions API is
disabled (ppkg.web.submissions answers 403).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from ppkg.store.changelog import ensure_dir, locked, write_atomically

TOKENS_FILE = "tokens.json"
TOKEN_PREFIX = "ppkg_"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class TokenError(ValueError):
    """A token cannot be created or revoked (bad or reused name, unknown name)."""


@dataclass
class Token:
    name: str
    sha256: str  # hex digest of the plain token
    admin: bool
    created: str  # ISO 8601, UTC
    revoked: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked is None


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


class TokenStore:
    def __init__(self, data_dir: str | Path):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / TOKENS_FILE

    # -- reading ----------------------------------------------------------------------------

    def load(self) -> list[Token]:
        """All tokens, active and revoked ([] when the file does not exist)."""
        try:
            raw = json.loads(self.path.read_bytes())
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as err:
            raise TokenError(f"{self.path}: cannot be read: {err}") from None
        return [Token(**t) for t in raw.get("tokens", [])]

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

    # -- writing (under the writers' lock) ---------------------------------------------------

    def create(self, name: str, admin: bool = False) -> tuple[str, Token]:
        """Issue a token: returns (the plain token, shown once; its stored record)."""
        if not NAME_PATTERN.match(name):
            raise TokenError(f"invalid name {name!r}: use 1-64 letters, digits, '.', '_' or '-', "
                             "starting with a letter or digit")
        plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with locked(self.data_dir):
            tokens = self.load()
            if any(t.name == name for t in tokens):
                raise TokenError(f"the name {name!r} has been used already (names are never "
                                 "reused, since submissions are attributed to them)")
            token = Token(name=name, sha256=hash_token(plain), admin=admin, created=now_iso())
            tokens.append(token)
            self._save(tokens)
        return plain, token

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
        data = json.dumps({"tokens": [asdict(t) for t in tokens]}, indent=2).encode() + b"\n"
        write_atomically(self.path, data, mode=0o600)
        os.chmod(self.path, 0o600)
