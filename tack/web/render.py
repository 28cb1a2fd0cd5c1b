"""What the page shows of a card: safe Markdown, claim time left, priority."""
from datetime import datetime

import nh3
from markdown_it import MarkdownIt

from tack.models import Card
from tack.services.card_json import claim_is_active

# CommonMark with raw HTML off; nh3 then strips anything unsafe that remains
# (javascript: links, event handlers) and adds rel=noopener to links.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})


def markdown(text: str) -> str:
    return nh3.clean(_markdown.render(text or ""))


def time_left(until: datetime, at: datetime) -> str:
    seconds = int((until - at).total_seconds())
    if seconds < 60:
        return f"{max(seconds, 0)}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 86400}d"


def pending(card: Card) -> str:
    """'decision' / 'approval' when a person's answer is awaited, else ''."""
    if card.decision and card.decision.get("decided") is None:
        return "decision"
    if card.approval and card.approval.get("approved") is None:
        return "approval"
    return ""


def template_helpers(at: datetime) -> dict:
    return {
        "markdown": markdown,
        "claim_active": lambda card: claim_is_active(card, at),
        "time_left": lambda until: time_left(until, at),
        "pending": pending,
        "now": at,
    }
