"""Seed a board with realistic cards, tags, notes, claims and questions."""
import random

from tack.services import cards, claims, decisions, notes
from tack.services.transaction import session, writing

CARDS_PER_TRANSACTION = 250  # the services' own calls, grouped so 10,000 cards seed fast

VERBS = ["Fix", "Add", "Refactor", "Investigate", "Document", "Speed up", "Remove", "Test",
         "Migrate", "Review"]
THINGS = ["login redirect", "payment webhook", "search index", "CSV export", "rate limiter",
          "email digest", "session cookies", "audit log", "image resizer", "billing report",
          "feature flags", "API pagination", "dark mode", "retry policy", "cache warmup"]
TAGS = ["backend", "frontend", "bug", "infra", "docs", "security", "perf", "ux", "data"]
PEOPLE = ["", "ann", "bob", "agent-1", "agent-2", "agent-3", "planner"]
COLUMNS = ["inbox"] * 4 + ["approved"] * 3 + ["in_progress"] * 2 + ["blocked", "done", "deferred"]
PRIORITIES = ["low", "normal", "normal", "normal", "high", "critical"]
NOTE_LINES = ["Reproduced locally; the failure is in the retry loop.",
              "Tried bumping the timeout: no change.",
              "Opened a draft PR with the fix and a regression test.",
              "Blocked on credentials for the staging database.",
              "Benchmarked before/after: p99 down from 240 ms to 80 ms."]


def description(rng: random.Random, title: str) -> str:
    steps = "\n".join(f"{i}. {rng.choice(NOTE_LINES)}" for i in range(1, rng.randint(2, 5)))
    return (f"## Context\n\n{title} has been reported by **{rng.choice(PEOPLE[1:])}**. "
            f"It affects `{rng.choice(THINGS)}` as well.\n\n## Plan\n\n{steps}\n")


def seed_board(count: int, rng: random.Random | None = None) -> list[str]:
    """Create `count` cards (inside an app context); return the ids of those no
    seeded agent holds, for the scenarios that claim."""
    rng = rng or random.Random(42)
    ids = []
    for start in range(0, count, CARDS_PER_TRANSACTION):
        with writing():
            for _ in range(min(CARDS_PER_TRANSACTION, count - start)):
                ids.append(seed_card(rng))
    for card_id in rng.sample(ids, max(1, count // 50)):
        decisions.request_decision(
            card_id=card_id, question="Which approach should we take?",
            options=[{"key": "a", "label": "Quick fix"}, {"key": "b", "label": "Rewrite"}],
            context="The quick fix leaves debt.", actor="agent-1")
    held = rng.sample(ids, max(1, count // 50))
    for card_id in held:
        claims.claim_card(card_id=card_id, agent="agent-2", ttl_seconds=3600)
    return [card_id for card_id in ids if card_id not in held]


def seed_card(rng: random.Random) -> str:
    title = f"{rng.choice(VERBS)} {rng.choice(THINGS)}"
    card = cards.create_card(
        title=title, description=description(rng, title),
        column_name=rng.choice(COLUMNS), assignee=rng.choice(PEOPLE),
        priority=rng.choice(PRIORITIES), created_by=rng.choice(PEOPLE[1:]),
        tags=rng.sample(TAGS, rng.randint(0, 3)),
    )
    session().flush()  # the notes' Core statements must see the card
    for _ in range(rng.randint(0, 3)):
        notes.add_note(card_id=card.id, author=rng.choice(PEOPLE[1:]),
                       content=rng.choice(NOTE_LINES))
    return card.id
