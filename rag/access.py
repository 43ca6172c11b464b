"""Who may see restricted (exempt) papers: members holding the operator's credential."""

from __future__ import annotations

import hmac

from . import config


def unlocks(candidate: str | None, secret: str | None = None) -> bool:
    """True when `candidate` matches the configured credential (constant-time compare).

    With no credential configured nobody can unlock restricted papers.
    """
    secret = secret if secret is not None else config.member_key()
    if not secret or not candidate:
        return False
    return hmac.compare_digest(candidate.encode(), secret.encode())


def visible(doc, unlocked: bool) -> bool:
    """Public papers are visible to everyone; restricted ones only to unlocked members."""
    return unlocked or doc.access == "public"
