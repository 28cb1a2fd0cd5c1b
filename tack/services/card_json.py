"""The card object as Tack's agents read it: plain dicts, ready for JSON."""
from datetime import datetime

from tack.clock import isoformat
from tack.models import Card, Event, Note
from tack.services.claims import claim_is_active


def _text_time(moment: datetime | None) -> str:
    # Tack's card object never holds null for a text field; absent times are "".
    return isoformat(moment) or ""


def card_view(card: Card, at: datetime) -> dict:
    """Every key of Tack's card object. A claim past its expiry reads as unclaimed."""
    claimed = claim_is_active(card, at)
    return {
        "id": card.id,
        "title": card.title,
        "description": card.description or "",
        "column_name": card.column_key,
        "assignee": card.assignee or "",
        "priority": card.priority,
        "position": card.position,
        "created_at": _text_time(card.created_at),
        "updated_at": _text_time(card.updated_at),
        "created_by": card.created_by or "",
        "tags": list(card.tags or []),
        "claimed_by": card.claimed_by if claimed else "",
        "claimed_at": _text_time(card.claimed_at) if claimed else "",
        "claim_expires_at": _text_time(card.claim_expires_at) if claimed else "",
        "decision": card.decision or "",
        "approval": card.approval or "",
        "defer_until": _text_time(card.defer_until),
        "follows_id": card.follows_id or "",
    }


def sparse(view: dict, fields: frozenset[str] | None) -> dict:
    """Only the asked-for keys, always with `id` (Tack's `?fields=`)."""
    if not fields:
        return view
    return {key: value for key, value in view.items() if key == "id" or key in fields}


def note_view(note: Note) -> dict:
    return {
        "id": note.id,
        "card_id": note.card_id,
        "author": note.author or "",
        "content": note.content,
        "timestamp": _text_time(note.created_at),
    }


def event_view(event: Event) -> dict:
    return {
        "id": event.seq,
        "seq": event.seq,
        "card_id": event.card_id or "",
        "action": event.action,
        "actor": event.actor or "",
        "details": event.details or "",
        "timestamp": _text_time(event.created_at),
    }
