"""Ranked full-text search over a board's cards (title, tags, description).

SQLite searches the FTS5 table `card_search` and PostgreSQL a weighted tsvector
with a GIN index; both are kept current by the database itself (see migration
0005_links). The user's text is never handed to either query language: it is cut
into words (runs of letters and digits), each word must appear, and matches a word
that starts with it ("auth" finds "authentication"). So `"`, `*`, `(`, `-` are
ignored and `OR` or `NEAR` are words to find, never operators. Title matches rank
above tags, tags above description; ties go to the higher priority, then the older
card.
"""
import re

import sqlalchemy as sa

from tack.clock import now
from tack.errors import Invalid
from tack.extensions import db
from tack.models import Card
from tack.services.boards import get_board
from tack.services.cards import matching, priority_rank_sql
from tack.services.reading import fetch, fetch_value

QUERY_MAX = 500
TERMS_MAX = 32
LIMIT_MAX = 1000
WORD = re.compile(r"[^\W_]+")
CARDS = Card.__table__

# FTS5 column weights (title, tags, description) for bm25(); lower scores rank first.
SQLITE_WEIGHTS = (10.0, 5.0, 1.0)
# Identical to the index expression in migration 0005_links (the planner matches it).
POSTGRES_DOCUMENT = (
    "setweight(to_tsvector('simple'::regconfig, coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce((tags::jsonb)::text, '')), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, coalesce(description, '')), 'C')"
)


def search_terms(query: str) -> list[str]:
    """The words searched for, lower-cased, without repeats, at most TERMS_MAX."""
    terms: list[str] = []
    for word in WORD.findall(query.lower()):
        if word not in terms:
            terms.append(word)
    return terms[:TERMS_MAX]


def _sqlite_match(terms: list[str]) -> str:
    # Each word as an FTS5 string (only letters and digits, so no quote to double)
    # with a prefix star; words side by side must all match.
    return " ".join(f'"{term}"*' for term in terms)


def _postgres_tsquery(terms: list[str]) -> str:
    # Only letters and digits: nothing to_tsquery could read as an operator.
    return " & ".join(f"'{term}':*" for term in terms)


def _ranked(terms: list[str]):
    """(FROM clause, WHERE condition, ORDER BY score) for the database in use."""
    if db.engine.dialect.name == "postgresql":
        document = sa.literal_column(f"({POSTGRES_DOCUMENT})")
        tsquery = sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"),
                                     sa.bindparam("tsquery", _postgres_tsquery(terms)))
        return CARDS, document.op("@@")(tsquery), sa.func.ts_rank(document, tsquery).desc()
    index = sa.table("card_search", sa.column("rowid"))
    rows = sa.table("card_search_rows", sa.column("id"), sa.column("card_id"))
    source = index.join(rows, rows.c.id == index.c.rowid).join(
        CARDS, CARDS.c.id == rows.c.card_id)
    condition = sa.literal_column("card_search").op("MATCH")(
        sa.bindparam("match", _sqlite_match(terms)))
    score = sa.func.bm25(sa.literal_column("card_search"), *SQLITE_WEIGHTS)
    return source, condition, score


def search_cards(*, board_id: str, query: str, column_name: str | None = None,
                 assignee: str | None = None, tag: str | None = None,
                 priority: str | None = None, claimed_by: str | None = None,
                 include_archived: bool = True,
                 limit: int = 50, offset: int = 0) -> tuple[list[sa.Row], int]:
    """(cards on `board_id` matching every word of `query` and every filter given,
    best first, `limit` from `offset`; how many match in all). A blank query is
    Invalid (EMPTY_QUERY); a query with no words (only punctuation) matches nothing.
    include_archived=False leaves archived cards out, as the /api/v1 task list does."""
    if not query or not query.strip():
        raise Invalid("Search query is empty", "EMPTY_QUERY")
    if len(query) > QUERY_MAX:
        raise Invalid(f"Search query is longer than {QUERY_MAX} characters", "INVALID_INPUT")
    if not 1 <= limit <= LIMIT_MAX or offset < 0:
        raise Invalid(f"limit must be 1 to {LIMIT_MAX} and offset 0 or more",
                      "INVALID_INPUT")
    get_board(board_id)
    terms = search_terms(query)
    if not terms:
        return [], 0
    source, condition, score = _ranked(terms)
    found = sa.select(CARDS).select_from(source).where(condition, Card.board_id == board_id)
    if column_name:
        found = found.where(Card.column_key == column_name)
    found = matching(found, assignee=assignee, tag=tag, priority=priority)
    if not include_archived:
        found = found.where(Card.archived_at.is_(None))
    if claimed_by:
        # An expired claim holds nothing, as everywhere else.
        found = found.where(Card.claimed_by == claimed_by, Card.claim_expires_at > now())
    total = fetch_value(sa.select(sa.func.count()).select_from(found.subquery()))
    if not total:
        return [], 0
    page = found.order_by(score, priority_rank_sql().desc(), Card.created_at, Card.id)
    return fetch(page.limit(limit).offset(offset)), total
