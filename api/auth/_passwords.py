"""Password hashing with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile)."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_LENGTH = 10


@lru_cache(maxsize=1)
def password_hasher() -> PasswordHasher:
    """The one hasher; its parameters decide when stored hashes need rehashing."""
    return PasswordHasher()


def check_password_strength(password: str) -> None:
    """Reject passwords too short to resist guessing.

    Raises:
        ValueError: saying what is required.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password`` (salted; the PHC string holds the parameters)."""
    return password_hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches, and a new hash when the stored one is outdated.

    Returns:
        ``(ok, new_hash)``: ``new_hash`` is set only when ``ok`` and the stored hash used
        other parameters than the current hasher (store it: rehash on login).
    """
    hasher = password_hasher()
    try:
        hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False, None
    if hasher.check_needs_rehash(stored_hash):
        return True, hasher.hash(password)
    return True, None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-real-password-but-as-slow-to-check")


def burn_password_check(password: str) -> None:
    """Spend the time a real check takes, so unknown e-mails cannot be told by timing."""
    verify_password(_dummy_hash(), password)
