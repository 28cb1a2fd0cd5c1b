"""Contract checks for the original Tack API (/api/...), as an outside client.

Written only from /work/shared/api/tack-compat.md and the Tack README
(/work/shared/seeds/tack-readme.md); never from the server's code.

    python tests/contract/tack_client.py --base-url http://127.0.0.1:PORT [--api-key K]

With --api-key the server is expected to run with TACK_API_KEY=K: every write
sends it, and the auth group checks that writes without it are refused. Without
--api-key the auth group is skipped (and counted as neither pass nor fail).

Prints one line per check and ends with "N passed, M failed"; exit code 0 only
when every check passed.

Assumptions where the document is vague are marked "ASSUMPTION" next to the check.
"""

import argparse
import os
import re
import sys
import threading
import time
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from contractlib import Http, Runner, body_of, describe, now_utc, parse_time, unique  # noqa: E402

COLUMNS = ["inbox", "approved", "in_progress", "awaiting_decision", "awaiting_approval",
           "deferred", "done", "blocked"]
PRIORITIES = ["low", "normal", "high", "critical"]
CARD_KEYS = ["id", "title", "description", "column_name", "assignee", "priority", "position",
             "created_at", "updated_at", "created_by", "tags", "claimed_by", "claimed_at",
             "claim_expires_at", "decision", "approval", "defer_until", "follows_id"]
DECISION_KEYS = ["question", "options", "context", "deadline", "requested_by", "requested_at",
                 "decided", "decided_by", "decided_at"]
APPROVAL_KEYS = ["plan", "context", "requested_by", "requested_at", "approved", "approved_by",
                 "approved_at", "comment"]
ACTIVITY_KEYS = ["id", "card_id", "action", "actor", "details", "timestamp"]
NOTE_KEYS = ["id", "card_id", "author", "content", "timestamp"]
CARD_ID = re.compile(r"^card-[0-9a-f]{8}$")
MISSING = "no-such-card-0000"
# The card id shape is card-<8 hex>; a well-formed id that does not exist.
MISSING_WELL_FORMED = "card-00000000"

parser = argparse.ArgumentParser(description="Tack /api contract checks")
parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8795")
parser.add_argument("--api-key", default=None, help="the server's TACK_API_KEY, sent on writes")
parser.add_argument("--defer-days", type=float, default=7,
                    help="the server's TACK_DEFER_DAYS (0 also checks that deferred cards return)")
parser.add_argument("--done-archive-days", type=float, default=7,
                    help="the server's TACK_DONE_ARCHIVE_DAYS (0 also checks that done cards leave the board)")
parser.add_argument("--only", default=None, help="run only groups whose name contains this text")
parser.add_argument("--verbose", action="store_true")
ARGS = parser.parse_args()
R = Runner(ARGS.only, ARGS.verbose)
WRITE_HEADERS = {"X-API-Key": ARGS.api_key} if ARGS.api_key else {}
api = Http(ARGS.base_url, headers=WRITE_HEADERS)
anonymous = Http(ARGS.base_url)


# ----------------------------------------------------------------- helpers

def create(title=None, **fields):
    body = {"title": title or unique("card")}
    body.update(fields)
    response = api.post("/api/cards", body)
    if response.status_code != 201:
        raise AssertionError(f"could not create a card: {describe(response)}")
    return response.json()["id"]


def card(card_id):
    response = api.get(f"/api/cards/{card_id}")
    if response.status_code != 200:
        raise AssertionError(f"could not read card: {describe(response)}")
    return response.json()


def activity_of(card_id, limit=1000):
    response = api.get("/api/activity", params={"limit": limit})
    if response.status_code != 200:
        raise AssertionError(f"could not read activity: {describe(response)}")
    return [entry for entry in response.json() if entry.get("card_id") == card_id]


def has_action(entries, action):
    return [entry for entry in entries if entry.get("action") == action]


def detail_text(response):
    body = body_of(response)
    if isinstance(body, dict):
        detail = body.get("detail")
        return detail if isinstance(detail, str) else str(detail)
    return response.text


def error_check(name, response, status, phrase, doc):
    """Status, the {detail, code} shape and a phrase inside detail."""
    R.status(f"{name}: status {status}", response, status, doc)
    body = body_of(response)
    shape_ok = isinstance(body, dict) and "detail" in body and "code" in body
    R.check(f"{name}: error body has detail and code", shape_ok,
            f"got {describe(response)}",
            'Errors are {"detail": <message or object>, "code": "MACHINE_CODE"}')
    if phrase is not None:
        R.check(f"{name}: detail mentions {phrase!r}",
                phrase.lower() in detail_text(response).lower(),
                f"got {describe(response)}", doc)


def notes_of(card_id):
    response = api.get(f"/api/cards/{card_id}/notes")
    if response.status_code != 200:
        raise AssertionError(f"could not read notes: {describe(response)}")
    return response.json()


def board():
    response = api.get("/api/board")
    if response.status_code != 200:
        raise AssertionError(f"could not read board: {describe(response)}")
    return response.json()


# ----------------------------------------------------------------- groups

def g_health():
    response = anonymous.get("/health")
    R.status("GET /health 200", response, 200, "GET /health | 200 {status:\"ok\", service:\"tack\", timestamp}")
    body = body_of(response) or {}
    R.equal("health status ok", body.get("status"), "ok")
    R.equal("health service tack", body.get("service"), "tack")
    R.check("health timestamp is ISO-8601", parse_time(body.get("timestamp")) is not None,
            f"got {body.get('timestamp')!r}")
    page = anonymous.get("/")
    R.status("GET / 200 (web board)", page, 200, "GET / | 200 the web board")
    R.check("GET / is HTML", "html" in page.headers.get("Content-Type", ""),
            f"Content-Type {page.headers.get('Content-Type')!r}")


def g_create_defaults():
    response = api.post("/api/cards", {"title": "contract defaults"})
    R.status("POST /api/cards 201", response, 201, "201 `{id, status:\"created\"}`")
    body = body_of(response) or {}
    R.equal("create status 'created'", body.get("status"), "created")
    card_id = body.get("id", "")
    R.check("card id looks like card-1a2b3c4d", bool(CARD_ID.match(card_id)), f"got {card_id!r}",
            "Card ids look like `card-1a2b3c4d`.")
    got = card(card_id)
    missing = [key for key in CARD_KEYS if key not in got]
    R.check("card has every documented key", not missing, f"missing {missing}",
            "Every read that returns a card returns at least these keys")
    R.equal("default column inbox", got.get("column_name"), "inbox", "`column_name` (default inbox)")
    R.equal("default priority normal", got.get("priority"), "normal", "`normal` (default)")
    R.check("tags is a list", isinstance(got.get("tags"), list), f"got {got.get('tags')!r}",
            "tags (list of strings)")
    for key in ("description", "assignee", "created_by", "claimed_by", "decision", "approval"):
        R.equal(f"empty {key} is \"\" (not null)", got.get(key), "",
                'Empty text fields are `""` (not null). `decision` / `approval` are `""` when absent')
    # ASSUMPTION: the original stores claim times, defer_until and follows_id as text,
    # so an absent one is "" like the other empty text fields.
    for key in ("claimed_at", "claim_expires_at", "defer_until", "follows_id"):
        R.equal(f"absent {key} is \"\" (assumption: a text field)", got.get(key), "",
                'Empty text fields are `""` (not null).')
    for key in ("created_at", "updated_at"):
        R.check(f"{key} is ISO-8601", parse_time(got.get(key)) is not None, f"got {got.get(key)!r}")
    entries = activity_of(card_id)
    R.check("activity has a 'created' entry", bool(has_action(entries, "created")),
            f"entries {entries}", "Activity `action` values include `created`")
    if entries:
        missing = [key for key in ACTIVITY_KEYS if key not in entries[0]]
        R.check("activity entry has id, card_id, action, actor, details, timestamp", not missing,
                f"missing {missing} in {entries[0]}")


def g_create_fields():
    tags = ["alpha", "beta"]
    card_id = create("full card", description="desc **md**", column_name="approved",
                     assignee="agent-7", priority="high", created_by="maker", tags=tags)
    got = card(card_id)
    for key, value in (("title", "full card"), ("description", "desc **md**"),
                       ("column_name", "approved"), ("assignee", "agent-7"),
                       ("priority", "high"), ("created_by", "maker"), ("tags", tags)):
        R.equal(f"created {key} reads back", got.get(key), value)
    for priority in PRIORITIES:
        response = api.post("/api/cards", {"title": f"prio {priority}", "priority": priority})
        R.status(f"priority {priority} accepted", response, 201, "Priorities: `low`, `normal` (default), `high`, `critical`.")
    for column in COLUMNS:
        response = api.post("/api/cards", {"title": f"col {column}", "column_name": column})
        R.status(f"column {column} accepted", response, 201)
        if response.status_code == 201:
            R.equal(f"column {column} reads back", card(response.json()["id"]).get("column_name"), column)


def g_create_errors():
    error_check("invalid column", api.post("/api/cards", {"title": "x", "column_name": "nowhere"}),
                400, "Invalid column", '400 "Invalid column…"')
    error_check("invalid priority", api.post("/api/cards", {"title": "x", "priority": "urgent"}),
                400, "Invalid priority", '400 "Invalid priority…"')
    doc = "422 for missing/oversized fields"
    error_check("missing title", api.post("/api/cards", {"description": "no title"}), 422, None, doc)
    R.status("title of 500 chars accepted", api.post("/api/cards", {"title": "t" * 500}), 201,
             "`title` (required, ≤500)")
    error_check("title of 501 chars", api.post("/api/cards", {"title": "t" * 501}), 422, None, doc)
    R.status("description of 10000 chars accepted",
             api.post("/api/cards", {"title": "d", "description": "d" * 10000}), 201, "`description` (≤10000)")
    error_check("description of 10001 chars",
                api.post("/api/cards", {"title": "d", "description": "d" * 10001}), 422, None, doc)
    R.status("assignee of 200 chars accepted",
             api.post("/api/cards", {"title": "a", "assignee": "a" * 200}), 201, "`assignee` (≤200)")
    error_check("assignee of 201 chars",
                api.post("/api/cards", {"title": "a", "assignee": "a" * 201}), 422, None, doc)
    R.status("50 tags accepted",
             api.post("/api/cards", {"title": "t", "tags": [f"t{i}" for i in range(50)]}), 201,
             "`tags` (≤50 tags, each ≤100)")
    error_check("51 tags", api.post("/api/cards", {"title": "t", "tags": [f"t{i}" for i in range(51)]}),
                422, None, doc)
    R.status("tag of 100 chars accepted", api.post("/api/cards", {"title": "t", "tags": ["g" * 100]}), 201)
    error_check("tag of 101 chars", api.post("/api/cards", {"title": "t", "tags": ["g" * 101]}),
                422, None, doc)
    # Nothing was created by the refused requests: the bad title never shows up.
    listed = api.get("/api/cards", params={"q": "no title"}).json()
    R.check("refused create changed nothing", not [c for c in listed if c.get("description") == "no title"],
            f"found {listed}", "Bad input ... changes nothing")


def g_get_card():
    error_check("GET unknown card", api.get(f"/api/cards/{MISSING_WELL_FORMED}"), 404, "Card not found",
                '404 "Card not found"')
    error_check("GET malformed card id", api.get(f"/api/cards/{MISSING}"), 404, "Card not found",
                '404 "Card not found"')


def g_list_filters():
    tag = unique("tag")
    who = unique("who")
    word = unique("word")
    a = create(f"list A {word}", column_name="approved", assignee=who, priority="high", tags=[tag])
    b = create("list B", description=f"contains {word} inside", column_name="blocked", assignee=who,
               priority="low")
    c = create("list C unrelated", column_name="approved", tags=[tag], priority="low")
    response = api.get("/api/cards")
    R.status("GET /api/cards 200", response, 200)
    R.check("GET /api/cards is a list", isinstance(body_of(response), list), describe(response))

    def ids(params):
        got = api.get("/api/cards", params=params)
        if got.status_code != 200:
            raise AssertionError(describe(got))
        return {item["id"] for item in got.json()}

    R.check("filter assignee", ids({"assignee": who}) == {a, b}, f"got {ids({'assignee': who})}",
            "`GET /api/cards` | `column, assignee, q (title/description text), tag, priority, fields`")
    by_column = ids({"column": "approved", "assignee": who})
    R.check("filter column (+assignee)", by_column == {a}, f"got {by_column}")
    R.check("filter tag", ids({"tag": tag}) == {a, c}, f"got {ids({'tag': tag})}")
    R.check("filter q in title or description", ids({"q": word}) == {a, b}, f"got {ids({'q': word})}")
    R.check("filter priority (+assignee)", ids({"priority": "low", "assignee": who}) == {b},
            f"got {ids({'priority': 'low', 'assignee': who})}")
    sparse = api.get("/api/cards", params={"fields": "title,column_name", "assignee": who})
    R.status("fields on list 200", sparse, 200)
    keys = [set(item) for item in (body_of(sparse) or [])]
    R.check("fields=title,column_name returns only those keys plus id",
            bool(keys) and all(k == {"id", "title", "column_name"} for k in keys), f"got keys {keys}",
            "`?fields=a,b,c` on card lists and the board returns only those keys, always with `id`.")


def g_board():
    response = api.get("/api/board")
    R.status("GET /api/board 200", response, 200)
    body = body_of(response) or {}
    R.check("board has one key per column", set(COLUMNS) <= set(body), f"keys {sorted(body)}",
            "200 object: one key per column")
    R.check("each column value is a list", all(isinstance(body.get(c), list) for c in COLUMNS),
            "non-list column")
    first = create("board order 1", column_name="blocked")
    second = create("board order 2", column_name="blocked")
    column = [item["id"] for item in board()["blocked"]]
    R.check("cards listed in position then creation order", first in column and second in column
            and column.index(first) < column.index(second), f"blocked column {column}",
            "each a list of cards ordered by position then creation")
    found = [item for item in board()["blocked"] if item["id"] == first]
    missing = [key for key in CARD_KEYS if found and key not in found[0]]
    R.check("board cards carry every card key", bool(found) and not missing, f"missing {missing}")
    sparse = api.get("/api/board", params={"fields": "title"})
    R.status("board with fields 200", sparse, 200)
    sparse_cards = [item for cards in (body_of(sparse) or {}).values() if isinstance(cards, list)
                    for item in cards]
    R.check("board fields=title returns only id and title",
            bool(sparse_cards) and all(set(item) == {"id", "title"} for item in sparse_cards),
            f"first {sparse_cards[:2]}", "`?fields=a,b,c` on card lists and the board")
    # Moving with a position puts the card there; the board honours position.
    third = create("board order 3", column_name="inbox")
    moved = api.post(f"/api/cards/{third}/move", {"column_name": "blocked", "position": 0})
    R.status("move with position 200", moved, 200)
    column = [item["id"] for item in board()["blocked"]]
    R.check("move position 0 puts the card first in the column", column[:1] == [third],
            f"blocked column starts {column[:3]}", "`POST /api/cards/{id}/move` | `column_name`, optional `position`")


def g_patch():
    card_id = create("patch me")
    before = card(card_id)
    time.sleep(0.05)
    response = api.patch(f"/api/cards/{card_id}", {"title": "patched", "description": "new text",
                                                   "assignee": "bob", "priority": "critical",
                                                   "tags": ["x"], "actor": "patcher"})
    R.status("PATCH 200", response, 200, "200 `{status:\"updated\"}`")
    R.equal("PATCH status 'updated'", (body_of(response) or {}).get("status"), "updated")
    got = card(card_id)
    for key, value in (("title", "patched"), ("description", "new text"), ("assignee", "bob"),
                       ("priority", "critical"), ("tags", ["x"])):
        R.equal(f"patched {key} reads back", got.get(key), value)
    R.check("updated_at moved forward", (parse_time(got.get("updated_at")) or now_utc())
            > (parse_time(before.get("updated_at")) or now_utc()),
            f"{before.get('updated_at')} -> {got.get('updated_at')}")
    entries = has_action(activity_of(card_id), "updated")
    R.check("activity 'updated' entry", bool(entries), "none", "Activity `action` values include ... updated")
    R.check("'updated' entry actor is the PATCH actor", any(e.get("actor") == "patcher" for e in entries),
            f"entries {entries}")
    empty = api.patch(f"/api/cards/{card_id}", {})
    R.status("empty PATCH 200", empty, 200, "empty body → 200 `{status:\"no changes\"}`")
    R.equal("empty PATCH status 'no changes'", (body_of(empty) or {}).get("status"), "no changes",
            'empty body → 200 `{status:"no changes"}`')
    moved = api.patch(f"/api/cards/{card_id}", {"column_name": "approved"})
    R.status("PATCH column_name 200", moved, 200)
    R.equal("PATCH column_name moves the card", card(card_id).get("column_name"), "approved")
    error_check("PATCH unknown card", api.patch(f"/api/cards/{MISSING_WELL_FORMED}", {"title": "x"}),
                404, "Card not found", "404")
    error_check("PATCH invalid column", api.patch(f"/api/cards/{card_id}", {"column_name": "nope"}),
                400, "Invalid column", "400 invalid column/priority")
    error_check("PATCH invalid priority", api.patch(f"/api/cards/{card_id}", {"priority": "nope"}),
                400, "Invalid priority", "400 invalid column/priority")
    R.equal("refused PATCH changed nothing", card(card_id).get("priority"), "critical")


def g_move():
    card_id = create("move me")
    response = api.post(f"/api/cards/{card_id}/move", {"column_name": "in_progress", "actor": "mover"})
    R.status("move 200", response, 200)
    body = body_of(response) or {}
    R.equal("move body", {k: body.get(k) for k in ("status", "from", "to")},
            {"status": "moved", "from": "inbox", "to": "in_progress"},
            '200 `{status:"moved", from, to}`')
    R.equal("card is in the new column", card(card_id).get("column_name"), "in_progress")
    entries = has_action(activity_of(card_id), "moved")
    R.check("activity 'moved' details read '<from> -> <to>'",
            any(e.get("details") == "inbox -> in_progress" for e in entries), f"entries {entries}",
            'A move\'s `details` reads `"<from> -> <to>"`.')
    R.check("'moved' entry actor is the move actor", any(e.get("actor") == "mover" for e in entries),
            f"entries {entries}")
    error_check("move unknown card", api.post(f"/api/cards/{MISSING_WELL_FORMED}/move",
                                              {"column_name": "done"}), 404, "Card not found", "404")
    error_check("move invalid column", api.post(f"/api/cards/{card_id}/move", {"column_name": "nope"}),
                400, "Invalid column", "400 invalid column")
    R.equal("refused move changed nothing", card(card_id).get("column_name"), "in_progress")


def g_defer():
    card_id = create("defer me")
    before = now_utc()
    response = api.post(f"/api/cards/{card_id}/move", {"column_name": "deferred"})
    R.status("move to deferred 200", response, 200)
    until = parse_time(card(card_id).get("defer_until"))
    days = ARGS.defer_days  # the server's TACK_DEFER_DAYS, 7 unless told
    expected = before + timedelta(days=days)
    R.check(f"defer_until is now + {days:g} days", until is not None
            and abs((until - expected).total_seconds()) < 120,
            f"defer_until {card(card_id).get('defer_until')!r}, expected about {expected.isoformat()}",
            "moving a card to `deferred` sets `defer_until` to now + TACK_DEFER_DAYS")


def g_complete():
    card_id = create("complete me", assignee="ann", priority="high", tags=["t1", "t2"],
                     column_name="in_progress")
    response = api.post(f"/api/cards/{card_id}/complete",
                        {"note": "all good", "actor": "finisher", "followup": True,
                         "followup_title": "next step", "followup_description": "do more"})
    R.status("complete 200", response, 200, '200 `{status:"completed", from}` plus `followup_id`')
    body = body_of(response) or {}
    R.equal("complete status", body.get("status"), "completed")
    R.equal("complete from", body.get("from"), "in_progress")
    R.equal("card is done", card(card_id).get("column_name"), "done")
    followup_id = body.get("followup_id")
    R.check("followup_id returned", bool(followup_id), f"body {body}",
            "plus `followup_id` when a follow-up card was made")
    if followup_id:
        follow = card(followup_id)
        R.equal("follow-up in inbox", follow.get("column_name"), "inbox")
        R.equal("follow-up title", follow.get("title"), "next step")
        # ASSUMPTION: the document names followup_description but not whether the completion
        # note is carried into it too; the given text must be there either way.
        R.check("follow-up description carries followup_description", "do more" in str(follow.get("description")),
                f"got {follow.get('description')!r}", "`followup_description`")
        R.equal("follow-up same assignee", follow.get("assignee"), "ann")
        R.equal("follow-up same priority", follow.get("priority"), "high")
        R.equal("follow-up same tags", follow.get("tags"), ["t1", "t2"])
        R.equal("follow-up follows_id set", follow.get("follows_id"), card_id)
    # ASSUMPTION: "note prefixed `[COMPLETED] `" means the completion note is added to the
    # completed card's notes as "[COMPLETED] <note>".
    contents = [n.get("content") for n in notes_of(card_id)]
    R.check("completion note '[COMPLETED] all good' on the card", "[COMPLETED] all good" in contents,
            f"notes {contents}", "note prefixed `[COMPLETED] `")
    entries = has_action(activity_of(card_id), "completed")
    R.check("activity 'completed' entry", bool(entries), "none")
    plain = create("complete plain")
    response = api.post(f"/api/cards/{plain}/complete", {})
    R.status("complete without follow-up 200", response, 200)
    R.check("no followup_id without followup", "followup_id" not in (body_of(response) or {})
            or not (body_of(response) or {}).get("followup_id"), describe(response))
    R.equal("complete from inbox", (body_of(response) or {}).get("from"), "inbox")
    error_check("complete unknown card", api.post(f"/api/cards/{MISSING_WELL_FORMED}/complete", {}),
                404, "Card not found", "404")


def g_thread():
    root = create("thread root")
    first = api.post(f"/api/cards/{root}/complete", {"followup": True, "followup_title": "child"}).json()
    child = first.get("followup_id")
    second = api.post(f"/api/cards/{child}/complete", {"followup": True, "followup_title": "grandchild"}).json()
    grandchild = second.get("followup_id")
    response = api.get(f"/api/cards/{child}/thread")
    R.status("thread 200", response, 200, "200 `{card, ancestors, descendants, thread_length}`")
    body = body_of(response) or {}
    R.check("thread has card, ancestors, descendants, thread_length",
            all(k in body for k in ("card", "ancestors", "descendants", "thread_length")),
            f"keys {sorted(body)}")
    R.equal("thread card is the asked card", (body.get("card") or {}).get("id"), child)
    R.equal("ancestors along follows_id", [c.get("id") for c in body.get("ancestors", [])], [root])
    R.equal("descendants along follows_id", [c.get("id") for c in body.get("descendants", [])], [grandchild])
    R.equal("thread_length counts the chain", body.get("thread_length"), 3)
    error_check("thread unknown card", api.get(f"/api/cards/{MISSING_WELL_FORMED}/thread"), 404,
                "Card not found", "404")


def g_claim():
    card_id = create("claim me")
    before = now_utc()
    response = api.post(f"/api/cards/{card_id}/claim", {"agent": "agent-a"})
    R.status("claim 200", response, 200, '200 `{status:"claimed", agent, expires_at}`')
    body = body_of(response) or {}
    R.equal("claim status", body.get("status"), "claimed")
    R.equal("claim agent", body.get("agent"), "agent-a")
    expires = parse_time(body.get("expires_at"))
    R.check("default ttl 300 s", expires is not None
            and abs((expires - before).total_seconds() - 300) < 30,
            f"expires_at {body.get('expires_at')!r}", "`ttl_seconds` (default 300)")
    got = card(card_id)
    R.equal("card claimed_by", got.get("claimed_by"), "agent-a")
    R.check("card claimed_at and claim_expires_at set",
            parse_time(got.get("claimed_at")) is not None and parse_time(got.get("claim_expires_at")) is not None,
            f"{got.get('claimed_at')!r} {got.get('claim_expires_at')!r}")
    again = api.post(f"/api/cards/{card_id}/claim", {"agent": "agent-a", "ttl_seconds": 600})
    R.status("same agent re-claims (renews) 200", again, 200, "the same agent may re-claim (renews)")
    renewed = parse_time((body_of(again) or {}).get("expires_at"))
    R.check("renewal extends expires_at", renewed is not None and expires is not None and renewed > expires,
            f"{expires} -> {renewed}")
    other = api.post(f"/api/cards/{card_id}/claim", {"agent": "agent-b"})
    R.status("other agent gets 409", other, 409,
             '409 with `detail` = `{error:"Card already claimed", claimed_by, expires_at, hint}`')
    detail = (body_of(other) or {}).get("detail")
    R.check("409 detail is an object", isinstance(detail, dict), describe(other))
    if isinstance(detail, dict):
        R.equal("409 detail.error", detail.get("error"), "Card already claimed")
        R.equal("409 detail.claimed_by", detail.get("claimed_by"), "agent-a")
        R.check("409 detail.expires_at and hint", bool(detail.get("expires_at")) and bool(detail.get("hint")),
                f"detail {detail}")
    R.equal("loser changed nothing", card(card_id).get("claimed_by"), "agent-a")
    entries = has_action(activity_of(card_id), "claimed")
    R.check("activity 'claimed' entry", bool(entries), "none")
    # ASSUMPTION: a missing required `agent` is refused like other missing fields (422).
    error_check("claim without agent", api.post(f"/api/cards/{card_id}/claim", {}), 422, None,
                "`agent` (required)")
    error_check("claim unknown card", api.post(f"/api/cards/{MISSING_WELL_FORMED}/claim", {"agent": "x"}),
                404, "Card not found", "404")


def g_claim_expiry():
    card_id = create("short claim")
    response = api.post(f"/api/cards/{card_id}/claim", {"agent": "agent-a", "ttl_seconds": 1})
    R.status("claim with ttl_seconds=1 200", response, 200)
    time.sleep(2.2)
    got = card(card_id)
    R.equal("expired claim reads as unclaimed", got.get("claimed_by"), "",
            'A claim whose `claim_expires_at` has passed reads as unclaimed (`claimed_by` `""`).')
    listed = [c for c in api.get("/api/cards", params={"column": "inbox"}).json() if c["id"] == card_id]
    R.check("expired claim reads as unclaimed in lists", bool(listed) and listed[0].get("claimed_by") == "",
            f"got {listed}")
    taken = api.post(f"/api/cards/{card_id}/claim", {"agent": "agent-b"})
    R.status("another agent takes an expired claim", taken, 200)


def g_claim_race():
    card_id = create("claim race")
    results = []

    def attempt(agent):
        response = api.post(f"/api/cards/{card_id}/claim", {"agent": agent})
        results.append((agent, response.status_code))

    threads = [threading.Thread(target=attempt, args=(f"racer-{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [agent for agent, status in results if status == 200]
    R.check("8 concurrent claims: exactly one 200, seven 409",
            len(winners) == 1 and sorted(status for _, status in results) == [200] + [409] * 7,
            f"results {results}", "Claims are atomic under any number of concurrent agents and processes.")
    if len(winners) == 1:
        R.equal("the winner holds the card", card(card_id).get("claimed_by"), winners[0])


def g_release():
    card_id = create("release me")
    api.post(f"/api/cards/{card_id}/claim", {"agent": "holder"})
    wrong = api.post(f"/api/cards/{card_id}/release", params={"agent": "intruder"})
    error_check("release by non-holder", wrong, 403, None, "403 when `agent` is not the holder")
    R.equal("refused release keeps the claim", card(card_id).get("claimed_by"), "holder")
    right = api.post(f"/api/cards/{card_id}/release", params={"agent": "holder"})
    R.status("release by holder 200", right, 200, '200 `{status:"released"}`')
    R.equal("release status", (body_of(right) or {}).get("status"), "released")
    R.equal("released card unclaimed", card(card_id).get("claimed_by"), "")
    R.check("activity 'released' entry", bool(has_action(activity_of(card_id), "released")), "none")
    api.post(f"/api/cards/{card_id}/claim", {"agent": "holder2"})
    anyone = api.post(f"/api/cards/{card_id}/release")
    R.status("release without agent 200", anyone, 200, "query `agent` (optional)")
    R.equal("release without agent clears the claim", card(card_id).get("claimed_by"), "")
    error_check("release unknown card", api.post(f"/api/cards/{MISSING_WELL_FORMED}/release"), 404,
                "Card not found", "404")


def g_notes():
    card_id = create("notes")
    first = api.post(f"/api/cards/{card_id}/notes", {"author": "ann", "content": "first note"})
    R.status("add note 201", first, 201, '201 `{status:"added"}`')
    R.equal("add note status", (body_of(first) or {}).get("status"), "added")
    time.sleep(0.01)
    api.post(f"/api/cards/{card_id}/notes", {"author": "bob", "content": "second note"})
    response = api.get(f"/api/cards/{card_id}/notes")
    R.status("list notes 200", response, 200)
    notes = body_of(response) or []
    R.equal("notes oldest first", [n.get("content") for n in notes], ["first note", "second note"],
            "200 list `{id, card_id, author, content, timestamp}` oldest first")
    missing = [key for key in NOTE_KEYS if notes and key not in notes[0]]
    R.check("note has id, card_id, author, content, timestamp", bool(notes) and not missing,
            f"missing {missing}")
    if notes:
        R.equal("note card_id", notes[0].get("card_id"), card_id)
        R.equal("note author", notes[0].get("author"), "ann")
    R.check("activity 'note_added' entry", bool(has_action(activity_of(card_id), "note_added")), "none")
    error_check("note without content", api.post(f"/api/cards/{card_id}/notes", {"author": "x"}), 422, None,
                "`content` (required)")
    error_check("add note to unknown card",
                api.post(f"/api/cards/{MISSING_WELL_FORMED}/notes", {"author": "a", "content": "c"}),
                404, "Card not found", "404")
    error_check("list notes of unknown card", api.get(f"/api/cards/{MISSING_WELL_FORMED}/notes"), 404,
                "Card not found", "404")


OPTIONS = [{"key": "a", "label": "Option A", "description": "the first"},
           {"key": "b", "label": "Option B", "description": "the second"}]


def ask(card_id, **extra):
    body = {"question": "Which one?", "options": OPTIONS, "context": "ctx",
            "deadline": "2030-01-01T00:00:00+00:00", "actor": "asker"}
    body.update(extra)
    return api.post(f"/api/cards/{card_id}/decision", body)


def g_decisions():
    card_id = create("decide me")
    response = ask(card_id)
    R.status("request decision 200", response, 200,
             '200 `{status:"awaiting_decision", question, options:[keys]}`')
    body = body_of(response) or {}
    R.equal("decision response", {k: body.get(k) for k in ("status", "question", "options")},
            {"status": "awaiting_decision", "question": "Which one?", "options": ["a", "b"]})
    got = card(card_id)
    R.equal("card moves to awaiting_decision", got.get("column_name"), "awaiting_decision")
    decision = got.get("decision")
    R.check("card decision is an object with every documented key",
            isinstance(decision, dict) and all(k in decision for k in DECISION_KEYS), f"decision {decision}")
    if isinstance(decision, dict):
        R.equal("decision options as given", decision.get("options"), OPTIONS)
        R.equal("decision pending: decided null", decision.get("decided"), None)
        R.equal("decision requested_by actor", decision.get("requested_by"), "asker")
        R.equal("decision context", decision.get("context"), "ctx")
    pending = [c.get("id") for c in api.get("/api/decisions").json()]
    R.check("GET /api/decisions lists the card", card_id in pending, f"got {pending}")
    R.check("activity 'decision_requested'", bool(has_action(activity_of(card_id), "decision_requested")), "none")
    error_check("decide invalid choice", api.post(f"/api/cards/{card_id}/decide", {"choice": "zzz"}),
                400, "Invalid choice", '400 ... "Invalid choice…"')
    error_check("decide invalid move_to",
                api.post(f"/api/cards/{card_id}/decide", {"choice": "a", "move_to": "nowhere"}),
                400, None, "400 ... invalid move_to")
    R.equal("refused decide left the card waiting", card(card_id).get("column_name"), "awaiting_decision")
    decided = api.post(f"/api/cards/{card_id}/decide", {"choice": "b", "actor": "human", "note": "B is better"})
    R.status("decide 200", decided, 200, '200 `{status:"decided", choice, moved_to}`')
    R.equal("decide response", {k: (body_of(decided) or {}).get(k) for k in ("status", "choice", "moved_to")},
            {"status": "decided", "choice": "b", "moved_to": "in_progress"}, "`move_to` (default in_progress)")
    got = card(card_id)
    R.equal("decided card in in_progress", got.get("column_name"), "in_progress")
    decision = got.get("decision") if isinstance(got.get("decision"), dict) else {}
    R.equal("decision.decided is the key", decision.get("decided"), "b")
    R.equal("decision.decided_by", decision.get("decided_by"), "human")
    R.check("decision.decided_at set", parse_time(decision.get("decided_at")) is not None, f"{decision}")
    contents = [n.get("content", "") for n in notes_of(card_id)]
    R.check("decide note added", any("B is better" in c for c in contents), f"notes {contents}",
            "a note is added when given")
    R.check("activity 'decided'", bool(has_action(activity_of(card_id), "decided")), "none")
    R.check("decided card leaves /api/decisions",
            card_id not in [c.get("id") for c in api.get("/api/decisions").json()], "still listed")
    error_check("decide twice", api.post(f"/api/cards/{card_id}/decide", {"choice": "a"}), 400,
                "Already decided", '"Already decided…"')
    plain = create("no decision")
    error_check("decide without a decision", api.post(f"/api/cards/{plain}/decide", {"choice": "a"}), 400,
                "No pending decision", '400 "No pending decision"')
    other = create("decide move_to")
    ask(other)
    moved = api.post(f"/api/cards/{other}/decide", {"choice": "a", "move_to": "approved"})
    R.equal("decide with move_to", (body_of(moved) or {}).get("moved_to"), "approved")
    R.equal("decide move_to honoured", card(other).get("column_name"), "approved")
    error_check("decision on unknown card", ask(MISSING_WELL_FORMED), 404, "Card not found", "404")
    error_check("decide on unknown card", api.post(f"/api/cards/{MISSING_WELL_FORMED}/decide", {"choice": "a"}),
                404, "Card not found", "404")


def g_decisions_order():
    first = create("decision order 1")
    second = create("decision order 2")
    ask(second)
    time.sleep(0.05)
    ask(first)
    pending = [c.get("id") for c in api.get("/api/decisions").json()]
    R.check("decisions oldest update first", second in pending and first in pending
            and pending.index(second) < pending.index(first), f"got {pending}",
            "200 list of cards awaiting a decision, oldest update first")


def g_approvals():
    card_id = create("approve me")
    response = api.post(f"/api/cards/{card_id}/approval", {"plan": "do X then Y", "context": "c", "actor": "agent"})
    R.status("request approval 200", response, 200, '200 `{status:"awaiting_approval", plan}`')
    R.equal("approval response", {k: (body_of(response) or {}).get(k) for k in ("status", "plan")},
            {"status": "awaiting_approval", "plan": "do X then Y"})
    got = card(card_id)
    R.equal("card moves to awaiting_approval", got.get("column_name"), "awaiting_approval")
    approval = got.get("approval")
    R.check("card approval is an object with every documented key",
            isinstance(approval, dict) and all(k in approval for k in APPROVAL_KEYS), f"approval {approval}")
    if isinstance(approval, dict):
        R.equal("approval pending: approved null", approval.get("approved"), None)
        R.equal("approval requested_by", approval.get("requested_by"), "agent")
    R.check("GET /api/approvals lists the card",
            card_id in [c.get("id") for c in api.get("/api/approvals").json()], "not listed")
    R.check("activity 'approval_requested'", bool(has_action(activity_of(card_id), "approval_requested")), "none")
    ok = api.post(f"/api/cards/{card_id}/approve", {"approved": True, "comment": "go", "actor": "boss"})
    R.status("approve 200", ok, 200, '200 `{status:"approved"/"denied", moved_to}`')
    R.equal("approve response", {k: (body_of(ok) or {}).get(k) for k in ("status", "moved_to")},
            {"status": "approved", "moved_to": "in_progress"}, "approved → in_progress")
    got = card(card_id)
    R.equal("approved card in in_progress", got.get("column_name"), "in_progress")
    approval = got.get("approval") if isinstance(got.get("approval"), dict) else {}
    R.equal("approval.approved true", approval.get("approved"), True)
    R.equal("approval.approved_by", approval.get("approved_by"), "boss")
    R.equal("approval.comment", approval.get("comment"), "go")
    contents = [n.get("content", "") for n in notes_of(card_id)]
    R.check("comment becomes note '[APPROVED] go'", any(c.startswith("[APPROVED]") and "go" in c for c in contents),
            f"notes {contents}", "a comment becomes a note `[APPROVED] …`")
    R.check("activity 'approval_approved'", bool(has_action(activity_of(card_id), "approval_approved")), "none")
    R.check("approved card leaves /api/approvals",
            card_id not in [c.get("id") for c in api.get("/api/approvals").json()], "still listed")
    error_check("approve twice", api.post(f"/api/cards/{card_id}/approve", {"approved": True}), 400,
                "Already decided", '"Already decided…"')

    denied = create("deny me")
    api.post(f"/api/cards/{denied}/approval", {"plan": "risky"})
    no = api.post(f"/api/cards/{denied}/approve", {"approved": False, "comment": "too risky", "actor": "boss"})
    R.equal("deny response", {k: (body_of(no) or {}).get(k) for k in ("status", "moved_to")},
            {"status": "denied", "moved_to": "blocked"}, "denied → blocked unless `move_to`")
    R.equal("denied card in blocked", card(denied).get("column_name"), "blocked")
    contents = [n.get("content", "") for n in notes_of(denied)]
    R.check("comment becomes note '[DENIED] too risky'",
            any(c.startswith("[DENIED]") and "too risky" in c for c in contents), f"notes {contents}",
            "`[DENIED] …`")
    R.check("activity 'approval_denied'", bool(has_action(activity_of(denied), "approval_denied")), "none")

    routed = create("deny to inbox")
    api.post(f"/api/cards/{routed}/approval", {"plan": "p"})
    no = api.post(f"/api/cards/{routed}/approve", {"approved": False, "move_to": "inbox"})
    R.equal("deny with move_to", (body_of(no) or {}).get("moved_to"), "inbox")
    R.equal("deny move_to honoured", card(routed).get("column_name"), "inbox")

    plain = create("no approval")
    error_check("approve without a request", api.post(f"/api/cards/{plain}/approve", {"approved": True}), 400,
                "No pending approval", '400 "No pending approval"')
    # ASSUMPTION: a missing required `plan` is refused like other missing fields (422).
    error_check("approval without plan", api.post(f"/api/cards/{plain}/approval", {}), 422, None,
                "`plan` (required)")
    error_check("approval on unknown card",
                api.post(f"/api/cards/{MISSING_WELL_FORMED}/approval", {"plan": "p"}), 404, "Card not found", "404")
    error_check("approve unknown card",
                api.post(f"/api/cards/{MISSING_WELL_FORMED}/approve", {"approved": True}), 404, "Card not found", "404")


def g_delete():
    card_id = create("delete me by POST")
    response = api.post(f"/api/cards/{card_id}/delete", {"reason": "duplicate", "actor": "cleaner"})
    R.status("POST delete 200", response, 200, '200 `{status:"deleted", reason}`')
    R.equal("POST delete response", {k: (body_of(response) or {}).get(k) for k in ("status", "reason")},
            {"status": "deleted", "reason": "duplicate"})
    R.status("deleted card reads 404", api.get(f"/api/cards/{card_id}"), 404)
    entries = has_action(activity_of(card_id), "deleted")
    R.check("activity 'deleted' entry", bool(entries), "none", "Activity `action` values include ... deleted")
    # ASSUMPTION: a missing required `reason` is refused like other missing fields (422).
    other = create("delete needs reason")
    error_check("POST delete without reason", api.post(f"/api/cards/{other}/delete", {}), 422, None,
                "`reason` (required)")
    R.status("refused delete kept the card", api.get(f"/api/cards/{other}"), 200)
    gone = api.delete(f"/api/cards/{other}", params={"reason": "stale", "actor": "cleaner"})
    R.status("DELETE 200", gone, 200, '`DELETE /api/cards/{id}` | optional query `reason`, `actor` | 200 `{status:"deleted", reason}`')
    R.equal("DELETE response", {k: (body_of(gone) or {}).get(k) for k in ("status", "reason")},
            {"status": "deleted", "reason": "stale"})
    R.status("DELETE without reason 200", api.delete(f"/api/cards/{create('plain delete')}"), 200)
    error_check("POST delete unknown card",
                api.post(f"/api/cards/{MISSING_WELL_FORMED}/delete", {"reason": "r"}), 404, "Card not found", "404")
    error_check("DELETE unknown card", api.delete(f"/api/cards/{MISSING_WELL_FORMED}"), 404,
                "Card not found", "404")


def g_batch():
    existing = create("batch target")
    ops = [
        {"action": "create", "title": "made in batch", "priority": "high"},
        {"action": "move", "card_id": existing, "column_name": "approved"},
        {"action": "move", "card_id": MISSING_WELL_FORMED, "column_name": "done"},
        {"action": "update", "card_id": existing, "title": "batch renamed"},
        {"action": "claim", "card_id": existing, "agent": "batcher"},
        {"action": "note", "card_id": existing, "author": "batcher", "content": "batch note"},
        {"action": "release", "card_id": existing, "agent": "batcher"},
    ]
    response = api.post("/api/batch", ops)
    R.status("batch 200", response, 200, "200 `{results:[…], count}`")
    body = body_of(response) or {}
    results = body.get("results") or []
    R.equal("batch count", body.get("count"), len(ops))
    R.equal("one result per operation", len(results), len(ops))
    if len(results) == len(ops):
        created = results[0]
        R.check("create result is what POST /api/cards returns",
                created.get("status") == "created" and CARD_ID.match(str(created.get("id", ""))),
                f"got {created}", "each result is what the single call returns")
        R.equal("move result", {k: results[1].get(k) for k in ("status", "from", "to")},
                {"status": "moved", "from": "inbox", "to": "approved"})
        R.check("failing op is {error, status_code}", "error" in results[2]
                and results[2].get("status_code") == 404, f"got {results[2]}", "or `{error, status_code}`")
        R.equal("update result", results[3].get("status"), "updated")
        R.equal("claim result", results[4].get("status"), "claimed")
        R.equal("note result", results[5].get("status"), "added")
        R.equal("release result", results[6].get("status"), "released")
        if created.get("id"):
            R.equal("batch-created card priority", card(created["id"]).get("priority"), "high")
    got = card(existing)
    R.equal("ops after the failing one still ran (title)", got.get("title"), "batch renamed",
            "one failing operation does not stop the others")
    R.equal("batch move applied", got.get("column_name"), "approved")
    R.check("batch note applied", "batch note" in [n.get("content") for n in notes_of(existing)], "missing")
    too_many = api.post("/api/batch", [{"action": "create", "title": f"x{i}"} for i in range(101)])
    error_check("batch of 101 operations", too_many, 400, None, "400 over 100 operations")
    exactly = api.post("/api/batch", [{"action": "note", "card_id": existing, "content": f"n{i}"}
                                      for i in range(100)])
    R.status("batch of 100 operations 200", exactly, 200, "JSON list (≤100)")
    R.equal("100 operations, 100 results", len((body_of(exactly) or {}).get("results") or []), 100)


def g_activity():
    card_id = create("activity source", created_by="maker")
    for column in ("approved", "in_progress", "done"):
        api.post(f"/api/cards/{card_id}/move", {"column_name": column, "actor": "walker"})
    response = api.get("/api/activity")
    R.status("activity 200", response, 200)
    entries = body_of(response) or []
    R.check("activity default limit 50", len(entries) <= 50, f"got {len(entries)}", "`limit` (default 50, max 1000)")
    mine = [e for e in entries if e.get("card_id") == card_id]
    R.equal("activity newest first", [e.get("action") for e in mine][:4],
            ["moved", "moved", "moved", "created"], "newest first")
    R.equal("move details in order", [e.get("details") for e in mine][:3],
            ["in_progress -> done", "approved -> in_progress", "inbox -> approved"])
    times = [parse_time(e.get("timestamp")) for e in entries]
    R.check("timestamps non-increasing", all(a and b and a >= b for a, b in zip(times, times[1:])),
            "out of order")
    ids = [e.get("id") for e in entries]
    R.check("ids decreasing (newest first)", all(isinstance(a, int) and isinstance(b, int) and a > b
                                                  for a, b in zip(ids, ids[1:])) or len(ids) < 2,
            f"ids {ids[:6]}")
    one = api.get("/api/activity", params={"limit": 1})
    R.equal("limit=1 returns one entry", len(body_of(one) or []), 1)
    for i in range(55):
        api.post(f"/api/cards/{card_id}/notes", {"author": "n", "content": f"fill {i}"})
    R.equal("default limit is 50", len(api.get("/api/activity").json()), 50, "`limit` (default 50, max 1000)")
    big = api.get("/api/activity", params={"limit": 5000})
    # ASSUMPTION: a limit above the documented max is either clamped (200, ≤1000 entries)
    # or refused with a 4xx; never a 500.
    R.check("limit above 1000 is clamped or refused, not a 500",
            (big.status_code == 200 and len(big.json()) <= 1000) or 400 <= big.status_code < 500,
            describe(big), "max 1000")


def g_changes():
    since = now_utc().isoformat()
    time.sleep(1.1)
    card_id = create("changes source")
    api.post(f"/api/cards/{card_id}/move", {"column_name": "approved"})
    response = api.get("/api/changes", params={"since": since})
    R.status("changes 200", response, 200, "200 `{changes:[activity entry + card], checked_at}`")
    body = body_of(response) or {}
    changes = body.get("changes") or []
    R.check("checked_at is ISO-8601", parse_time(body.get("checked_at")) is not None, f"body keys {sorted(body)}")
    mine = [c for c in changes if c.get("card_id") == card_id]
    R.check("changes since a time include the new events", len(mine) >= 2, f"got {changes[:3]}")
    R.check("every change is after since",
            all((parse_time(c.get("timestamp")) or now_utc()) >= parse_time(since) for c in changes),
            f"got {[c.get('timestamp') for c in changes]}")
    if mine:
        missing = [k for k in ACTIVITY_KEYS if k not in mine[0]]
        R.check("change carries the activity entry fields", not missing, f"missing {missing}")
        R.check("change carries the card", isinstance(mine[0].get("card"), dict)
                and mine[0]["card"].get("id") == card_id, f"got {mine[0]}", "activity entry + card")
    for i in range(25):
        api.post(f"/api/cards/{card_id}/notes", {"author": "n", "content": f"c{i}"})
    R.equal("changes default limit 20", len(api.get("/api/changes", params={"since": since}).json().get("changes", [])),
            20, "`limit` (default 20, max 1000)")
    R.equal("changes limit=3", len(api.get("/api/changes", params={"since": since, "limit": 3}).json().get("changes", [])),
            3)
    # Tack's extension: ?after=<seq> reads oldest-first from a cursor.
    # ASSUMPTION: the cursor is the activity `id` (the event seq) and results come oldest first.
    after = api.get("/api/changes", params={"after": 0, "limit": 5})
    R.status("changes after=0 200", after, 200, "`GET /api/changes?after=<seq>` returns events oldest-first")
    listed = (body_of(after) or {}).get("changes") or []
    ids = [c.get("id") for c in listed]
    R.check("after cursor: oldest first", ids == sorted(ids) and len(ids) == 5, f"ids {ids}")
    extra = sorted(set(body_of(after) or {}) - {"changes", "checked_at"})
    R.check("after cursor hands back a next cursor", bool(extra), f"keys {sorted(body_of(after) or {})}",
            "and hands back the next cursor")


def g_bad_input():
    """Input a client can send never gets a 500, and a refusal keeps the error shape."""
    card_id = create("bad input target")
    cases = [
        ("create with a non-JSON body", api.call("POST", "/api/cards", data="not json",
                                                 headers={"Content-Type": "application/json"})),
        ("create with a JSON list body", api.post("/api/cards", [1, 2])),
        ("create with a numeric title", api.post("/api/cards", {"title": 12})),
        ("create with tags not a list", api.post("/api/cards", {"title": "t", "tags": "a,b"})),
        ("PATCH title of 501 chars", api.patch(f"/api/cards/{card_id}", {"title": "t" * 501})),
        ("PATCH 51 tags", api.patch(f"/api/cards/{card_id}", {"tags": [str(i) for i in range(51)]})),
        ("claim with a text ttl", api.post(f"/api/cards/{card_id}/claim", {"agent": "a", "ttl_seconds": "long"})),
        ("changes with a bad since", api.get("/api/changes", params={"since": "yesterday-ish"})),
        ("activity with a text limit", api.get("/api/activity", params={"limit": "many"})),
        ("batch with an object body", api.post("/api/batch", {"action": "create", "title": "x"})),
    ]
    for name, response in cases:
        R.check(f"{name}: 4xx, not 500", 400 <= response.status_code < 500, describe(response),
                "422 for missing/oversized fields")
        body = body_of(response)
        R.check(f"{name}: error body has detail and code",
                isinstance(body, dict) and "detail" in body and "code" in body, describe(response),
                'Errors are {"detail": <message or object>, "code": "MACHINE_CODE"}')
    got = card(card_id)
    R.equal("refused PATCHes changed nothing", (got.get("title"), got.get("tags")), ("bad input target", []))
    R.equal("refused claim changed nothing", got.get("claimed_by"), "")


def g_batch_edges():
    holder = create("batch claim target")
    api.post(f"/api/cards/{holder}/claim", {"agent": "first"})
    response = api.post("/api/batch", [
        {"action": "claim", "card_id": holder, "agent": "second"},
        {"action": "move", "card_id": holder, "column_name": "nowhere"},
        {"action": "create", "title": "after failures"},
    ])
    R.status("batch with failing ops 200", response, 200, "one failing operation does not stop the others")
    results = (body_of(response) or {}).get("results") or []
    if len(results) == 3:
        R.equal("claim conflict result status_code 409", results[0].get("status_code"), 409,
                "or `{error, status_code}`")
        R.equal("invalid column result status_code 400", results[1].get("status_code"), 400)
        R.equal("create after failures ran", results[2].get("status"), "created")
    else:
        R.check("three results", False, describe(response))
    R.equal("batch claim conflict kept the holder", card(holder).get("claimed_by"), "first")
    # ASSUMPTION: an unknown action is one failing operation ({error, status_code} 400), the rest run.
    mixed = api.post("/api/batch", [{"action": "explode", "card_id": holder},
                                    {"action": "note", "card_id": holder, "content": "still ran"}])
    results = (body_of(mixed) or {}).get("results") or []
    R.check("unknown action is a per-operation error",
            mixed.status_code == 200 and len(results) == 2 and results[0].get("status_code") == 400
            and results[1].get("status") == "added", describe(mixed))
    empty = api.post("/api/batch", [])
    # ASSUMPTION: an empty list is a valid batch of nothing.
    R.check("empty batch 200 with count 0", empty.status_code == 200
            and (body_of(empty) or {}).get("count") == 0, describe(empty))


def g_client_habits():
    """What agents written for the FastAPI original commonly send; they must keep working."""
    # ASSUMPTION: the original (pydantic models) ignored keys it did not know, so an old
    # client that sends one more key still gets its card.
    extra = api.post("/api/cards", {"title": "extra key", "status": "new", "source": "agent-x"})
    R.status("create with an unknown extra key 201", extra, 201,
             "Agents already written for Tack must work against this board unchanged")
    card_id = create("nulls", assignee="keeper", tags=["keep"])
    # ASSUMPTION: as in the original's Optional fields, null in a PATCH means "not given".
    nulls = api.patch(f"/api/cards/{card_id}", {"title": "nulls 2", "assignee": None, "tags": None,
                                                "priority": None, "column_name": None})
    R.status("PATCH with null fields 200", nulls, 200)
    got = card(card_id)
    R.equal("null fields left unchanged", (got.get("title"), got.get("assignee"), got.get("tags"), got.get("priority"),
                                           got.get("column_name")),
            ("nulls 2", "keeper", ["keep"], "normal", "inbox"))
    plain = api.get("/api/changes")
    R.status("changes without since 200", plain, 200, "`GET /api/changes` | `since` (ISO time), `limit`")
    R.check("changes without since has changes and checked_at",
            isinstance((body_of(plain) or {}).get("changes"), list) and "checked_at" in (body_of(plain) or {}),
            describe(plain))
    asked = create("decision shape")
    ask(asked)
    listed = [c for c in api.get("/api/decisions").json() if c.get("id") == asked]
    R.check("/api/decisions items are full cards", bool(listed) and all(k in listed[0] for k in CARD_KEYS),
            f"got {listed[:1]}", "200 list of cards awaiting a decision")
    api.post(f"/api/cards/{asked}/approval", {"plan": "p"})
    approvals = [c for c in api.get("/api/approvals").json() if c.get("id") == asked]
    R.check("/api/approvals items are full cards", bool(approvals) and all(k in approvals[0] for k in CARD_KEYS),
            f"got {approvals[:1]}", "200 list of cards awaiting approval")
    batch = api.post("/api/batch", [{"action": "create", "title": "bad column", "column_name": "nowhere"},
                                    {"action": "update", "card_id": card_id, "priority": "urgent"}])
    results = (body_of(batch) or {}).get("results") or []
    R.check("batch create/update with invalid values: per-operation 400 errors",
            batch.status_code == 200 and [r.get("status_code") for r in results] == [400, 400]
            and all("error" in r for r in results), describe(batch), "or `{error, status_code}`")
    # A poller hands back the checked_at it was given as the next since.
    first = body_of(api.get("/api/changes", params={"since": now_utc().isoformat()})) or {}
    checked_at = first.get("checked_at")
    polled = create("seen by the next poll")
    following = body_of(api.get("/api/changes", params={"since": checked_at})) or {}
    R.check("since=<previous checked_at> returns the change made in between",
            polled in [c.get("card_id") for c in following.get("changes") or []],
            f"checked_at {checked_at!r}, got {str(following)[:300]}", "`since` (ISO time)")
    # ASSUMPTION: a timestamp without an offset (what the FastAPI original wrote with
    # datetime.utcnow().isoformat()) is UTC.
    naive = (now_utc() - timedelta(seconds=2)).replace(tzinfo=None).isoformat()
    late = create("after a naive since")
    naive_poll = api.get("/api/changes", params={"since": naive})
    R.check("since without an offset is read as UTC", naive_poll.status_code == 200
            and late in [c.get("card_id") for c in (body_of(naive_poll) or {}).get("changes") or []],
            describe(naive_poll))
    zulu = (now_utc() - timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    zulu_poll = api.get("/api/changes", params={"since": zulu})
    R.check("since with a Z suffix accepted", zulu_poll.status_code == 200
            and late in [c.get("card_id") for c in (body_of(zulu_poll) or {}).get("changes") or []],
            describe(zulu_poll))
    R.check("JSON responses say application/json", api.get("/api/cards").headers.get("Content-Type", "")
            .startswith("application/json"), api.get("/api/cards").headers.get("Content-Type", ""))


def g_defer_return():
    if ARGS.defer_days != 0:
        R.skip("defer return", "needs a server with TACK_DEFER_DAYS=0 and --defer-days 0")
        return
    card_id = create("returns from deferred")
    api.post(f"/api/cards/{card_id}/move", {"column_name": "deferred"})
    # The document promises the return "on schedule, not only when someone reads"; poll the
    # activity log (a read of the activity does not touch the card) for up to 90 s.
    deadline = time.time() + 90
    returned = []
    while time.time() < deadline and not returned:
        returned = [e for e in activity_of(card_id) if "defer period expired" in str(e.get("details"))]
        if not returned:
            time.sleep(2)
    R.check("deferred card returns with 'defer period expired' in the activity", bool(returned),
            "no such entry within 90 s",
            'A deferred card whose time is up returns to awaiting_decision with an activity entry whose '
            'details contain "defer period expired"')
    R.equal("returned card is in awaiting_decision", card(card_id).get("column_name"), "awaiting_decision")


def g_done_archive():
    if ARGS.done_archive_days != 0:
        R.skip("done archive", "needs a server with TACK_DONE_ARCHIVE_DAYS=0 and --done-archive-days 0")
        return
    card_id = create("finished long ago", column_name="done")
    time.sleep(1.1)
    ids = [c.get("id") for c in board().get("done", [])]
    R.check("done card older than TACK_DONE_ARCHIVE_DAYS left off the board", card_id not in ids,
            f"done column {ids}", "done cards last updated more than TACK_DONE_ARCHIVE_DAYS ago are left out")
    R.status("the card itself still reads", api.get(f"/api/cards/{card_id}"), 200)


def g_auth():
    if not ARGS.api_key:
        R.skip("auth", "no --api-key given (run the server with TACK_API_KEY to check auth)")
        return
    key = ARGS.api_key
    refused = anonymous.post("/api/cards", {"title": "no key"})
    R.status("write without key 401", refused, 401, 'writes without the key → 401 with "API key" in `detail`')
    R.check("401 detail mentions 'API key'", "api key" in detail_text(refused).lower(), describe(refused))
    wrong = anonymous.post("/api/cards", {"title": "wrong key"}, headers={"X-API-Key": key + "x"})
    R.status("write with a wrong key 401", wrong, 401)
    R.status("write with X-API-Key 201",
             anonymous.post("/api/cards", {"title": "x-api-key"}, headers={"X-API-Key": key}), 201,
             "`X-API-Key: <key>` or `Authorization: Bearer <key>` → allowed")
    R.status("write with Authorization: Bearer 201",
             anonymous.post("/api/cards", {"title": "bearer"}, headers={"Authorization": f"Bearer {key}"}), 201)
    card_id = create("auth target")
    for name, response in (
            ("PATCH", anonymous.patch(f"/api/cards/{card_id}", {"title": "x"})),
            ("move", anonymous.post(f"/api/cards/{card_id}/move", {"column_name": "done"})),
            ("claim", anonymous.post(f"/api/cards/{card_id}/claim", {"agent": "a"})),
            ("note", anonymous.post(f"/api/cards/{card_id}/notes", {"content": "x"})),
            ("DELETE", anonymous.delete(f"/api/cards/{card_id}")),
            ("batch", anonymous.post("/api/batch", [{"action": "create", "title": "x"}]))):
        R.status(f"{name} without key 401", response, 401, "writes without the key → 401")
    R.equal("refused writes changed nothing", card(card_id).get("title"), "auth target")
    R.status("read /api/cards open", anonymous.get("/api/cards"), 200, "reads, `/health` and `/` stay open")
    R.status("read /api/board open", anonymous.get("/api/board"), 200)
    R.status("read /api/activity open", anonymous.get("/api/activity"), 200)
    R.status("/health open", anonymous.get("/health"), 200)
    R.status("/ open", anonymous.get("/"), 200)


GROUPS = [
    ("health", g_health),
    ("create defaults", g_create_defaults),
    ("create fields", g_create_fields),
    ("create errors", g_create_errors),
    ("get card", g_get_card),
    ("list filters", g_list_filters),
    ("board", g_board),
    ("patch", g_patch),
    ("move", g_move),
    ("defer", g_defer),
    ("complete", g_complete),
    ("thread", g_thread),
    ("claim", g_claim),
    ("claim expiry", g_claim_expiry),
    ("claim race", g_claim_race),
    ("release", g_release),
    ("notes", g_notes),
    ("decisions", g_decisions),
    ("decisions order", g_decisions_order),
    ("approvals", g_approvals),
    ("delete", g_delete),
    ("batch", g_batch),
    ("activity", g_activity),
    ("changes", g_changes),
    ("bad input", g_bad_input),
    ("batch edges", g_batch_edges),
    ("client habits", g_client_habits),
    ("defer return", g_defer_return),
    ("done archive", g_done_archive),
    ("auth", g_auth),
]

if __name__ == "__main__":
    for group_name, group_function in GROUPS:
        R.group(group_name, group_function)
    R.finish()
