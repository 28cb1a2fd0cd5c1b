"""Contract checks for "who may change a board", as an outside client.

Written only from the documents, never from the server's code:
- README.md, "**Who may change a board.**", the `TACK_API_KEY` row of the settings
  table and the Web board paragraph about the manage link `/board/<id>?key=kb_...`;
- shared/DESIGN.md, "Keys and access";
- the API documents of the surfaces called: shared/api/tack-compat.md and TOOL.md
  (Tack's `/api`), shared/seeds/kanban-api.md (`/api/v1`),
  shared/seeds/clawboo-board-api.md + clawboo-notes.md + docs/clawboo.md
  (`/clawboo/api`).
The page's write endpoints are documented only loosely; they were read off the
rendered HTML of the board page (the `csrf-token` meta tag, the card dialog's
`hx-post` note form at `/web/cards/<id>/notes`) and the page's own script
`static/board.js` (which sends the meta tag's token as `X-CSRFToken`).

    python tests/contract/access_client.py --base-url http://127.0.0.1:PORT \
        [--api-key ADMIN] [--key-command "CMD"]

Without --api-key (a server with TACK_API_KEY unset) the groups "open server ..."
and "page ..." run; with --api-key (a server started with TACK_API_KEY=ADMIN) the
groups "admin ..." run instead.

--key-command: a shell command that makes an access key on the server, run as
    CMD --name NAME --board ID:edit          (or --all --permission read|edit)
  and whose last output line is the key (`ak_...`). It is `tack keys create` with the
  server's environment, e.g.
    --key-command "env TACK_DB=/tmp/acc1/board.db .venv/bin/tack keys create"
    --key-command "env TACK_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/db \
                   .venv/bin/tack keys create"
  (add TACK_SECRET_KEY / TACK_API_KEY when the server has them: the CLI needs the same
  environment as the server). Keys are made during the run because they name boards
  the run creates. Without it every check that needs an access key is SKIPped.

Boards are made anonymously on /api/v1 when no admin key is given (9 per run: the
default TACK_BOARD_RATE_LIMIT of 10/hour allows one run an hour from one address, so
start the server with BOARD_RATE_LIMIT=1000). With --api-key they are made with it.

Prints one line per check and ends with "N passed, M failed"; exit code 0 only when
every check passed. Where the documents are vague the choice is marked ASSUMPTION.
"""

import argparse
import os
import re
import subprocess
import sys
from urllib.parse import urlsplit

import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from contractlib import Http, Runner, body_of, describe, short, unique  # noqa: E402

parser = argparse.ArgumentParser(description="Who may change a board: contract checks")
parser.add_argument("--base-url", required=True)
parser.add_argument("--api-key", default=None, help="the server's TACK_API_KEY (runs the admin groups)")
parser.add_argument("--key-command", default=None,
                    help="shell command prefix that makes an ak_ key (tack keys create with the server's env)")
parser.add_argument("--only", default=None)
parser.add_argument("--verbose", action="store_true")
ARGS = parser.parse_args()

R = Runner(ARGS.only, ARGS.verbose)
BASE = ARGS.base_url.rstrip("/")
root = Http(BASE)                  # never sends a key unless a call passes one
v1 = Http(BASE, prefix="/api/v1")
claw = Http(BASE, prefix="/clawboo/api")

DOC_RULE = ("the admin key (`TACK_API_KEY`): every board; a board's manage key (`kb_...`): that board; "
            "an access key (`ak_...`) with edit on the board, or on all boards (read is not enough)")
DOC_REFUSED = ("a refused write changes nothing: 401 in the surface's error shape "
               "(`UNAUTHORIZED`; Clawboo `unauthorized`; on the page, the message)")
DOC_NO_MANAGE = ("no key, on a board without a manage key while `TACK_API_KEY` is unset. Board `main` "
                 "and Clawboo teams never have a manage key")
DOC_CARD_ON_KEYED = ("a card on a board with a manage key cannot be claimed, noted or moved through "
                     "Tack's API or the page without a key for it")
DOC_ADMIN_SET = ("With `TACK_API_KEY` set, a write that carries neither it nor a manage or access key "
                 "is refused before it runs")
DOC_COMPAT_AUTH = "writes without the key -> 401 with \"API key\" in `detail`"
DOC_MANAGE_LINK = ("a person who opened its manage link (`/board/<id>?key=kb_...`, which then drops the key "
                   "from the address)")
DOC_V1_AUTH = "Write operations (POST/PATCH/DELETE) -> require `manage_key`; UNAUTHORIZED 401 Missing or invalid manage key"


def bearer(key):
    return {"Authorization": f"Bearer {key}"} if key else {}


# ---------------------------------------------------------------- access keys

def make_key(name, *spec):
    """An ak_ key from --key-command, or None when there is no command."""
    if not ARGS.key_command:
        return None
    command = f"{ARGS.key_command} --name {name} " + " ".join(spec)
    done = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=120)
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    key = lines[-1] if lines else ""
    if done.returncode != 0 or not key.startswith("ak_"):
        raise AssertionError(f"key command failed ({done.returncode}): {short(done.stdout + done.stderr)}")
    return key


# ---------------------------------------------------------------- helpers

def v1_board(admin=None):
    """A board made on /api/v1: (id, manage_key, [column ids])."""
    response = v1.post("/boards", {"name": unique("acc")}, headers=bearer(admin))
    if response.status_code != 201:
        raise AssertionError(f"could not create a board: {describe(response)}")
    body = response.json()
    return body["id"], body.get("manage_key"), [column["id"] for column in body["columns"]]


def tack_card(board, key, title=None):
    params = {"board": board} if board else None
    response = root.post("/api/cards", {"title": title or unique("card")}, params=params, headers=bearer(key))
    if response.status_code != 201:
        raise AssertionError(f"could not create a card: {describe(response)}")
    return response.json()["id"]


def code_of(response):
    body = body_of(response)
    return body.get("code") if isinstance(body, dict) else None


def refused(name, response, doc=DOC_REFUSED, phrase=None):
    """401 with code UNAUTHORIZED in Tack's {detail, code} shape (and a phrase in detail)."""
    body = body_of(response)
    good = response.status_code == 401 and isinstance(body, dict) and body.get("code") == "UNAUTHORIZED" \
        and "detail" in body
    if good and phrase:
        good = phrase.lower() in str(body.get("detail")).lower()
    return R.check(f"{name} -> 401 UNAUTHORIZED" + (f" ('{phrase}' in detail)" if phrase else ""), good,
                   f"got {describe(response)}", doc)


def accepted(name, response, statuses=(200, 201)):
    return R.check(f"{name} -> {'/'.join(map(str, statuses))}", response.status_code in statuses,
                   f"got {describe(response)}", DOC_RULE)


def board_state(board, card_ids):
    """Everything a refused write could have changed, read back through Tack's /api."""
    state = {}
    params = {"board": board} if board else {}
    cards = root.get("/api/cards", params=params)
    state["card ids on board"] = sorted(c["id"] for c in cards.json()) if cards.status_code == 200 else cards.status_code
    activity = root.get("/api/activity", params=dict(params, limit=20))
    state["newest activity ids"] = [e.get("id") for e in activity.json()] if activity.status_code == 200 \
        else activity.status_code
    for card_id in card_ids:
        card = root.get(f"/api/cards/{card_id}")
        if card.status_code != 200:
            state[card_id] = card.status_code
            continue
        c = card.json()
        notes = root.get(f"/api/cards/{card_id}/notes")
        state[card_id] = {k: c.get(k) for k in ("title", "column_name", "position", "claimed_by",
                                                 "assignee", "priority", "updated_at")}
        state[card_id]["notes"] = len(notes.json()) if notes.status_code == 200 else notes.status_code
    return state


def tack_writes_refused(label, headers, board, card_id, target_column, phrase=None, doc=DOC_REFUSED):
    """Every kind of Tack /api write on `card_id` (of `board`) with `headers`: 401, nothing changed."""
    before = board_state(board, [card_id])
    params = {"board": board} if board else None
    refused(f"{label}: create card", root.post("/api/cards", {"title": unique("no")}, params=params,
                                               headers=headers), doc, phrase)
    refused(f"{label}: claim", root.post(f"/api/cards/{card_id}/claim", {"agent": "intruder"},
                                          headers=headers), doc, phrase)
    refused(f"{label}: note", root.post(f"/api/cards/{card_id}/notes", {"author": "intruder", "content": "x"},
                                         headers=headers), doc, phrase)
    refused(f"{label}: move", root.post(f"/api/cards/{card_id}/move", {"column_name": target_column,
                                                                        "actor": "intruder"},
                                         headers=headers), doc, phrase)
    refused(f"{label}: update (PATCH)", root.patch(f"/api/cards/{card_id}", {"title": unique("changed")},
                                                    headers=headers), doc, phrase)
    refused(f"{label}: complete", root.post(f"/api/cards/{card_id}/complete", {"note": "x"},
                                             headers=headers), doc, phrase)
    refused(f"{label}: delete (POST .../delete)", root.post(f"/api/cards/{card_id}/delete", {"reason": "x"},
                                                             headers=headers), doc, phrase)
    refused(f"{label}: delete (DELETE)", root.delete(f"/api/cards/{card_id}", params={"reason": "x"},
                                                      headers=headers), doc, phrase)
    # ASSUMPTION: a batch is refused as a whole (401) or per operation ({error, status_code: 401});
    # either way nothing it names changes.
    batch = root.post("/api/batch", [{"action": "note", "card_id": card_id, "author": "intruder", "content": "b"},
                                     {"action": "create", "title": unique("batch")}],
                      params=params, headers=headers)
    body = body_of(batch)
    per_op = batch.status_code == 200 and isinstance(body, dict) and \
        all(isinstance(r, dict) and r.get("status_code") == 401 for r in body.get("results", [None]))
    R.check(f"{label}: batch note + create -> 401 (whole or per operation)",
            (batch.status_code == 401 and code_of(batch) == "UNAUTHORIZED") or per_op,
            f"got {describe(batch)}", DOC_REFUSED)
    after = board_state(board, [card_id])
    R.equal(f"{label}: card, notes, board's cards and activity unchanged", after, before, DOC_REFUSED)


def tack_writes_accepted(label, headers, board, target_column):
    """A card made with `headers` on `board`, then claimed, noted, moved, updated, deleted with them."""
    params = {"board": board} if board else None
    created = root.post("/api/cards", {"title": unique("ok")}, params=params, headers=headers)
    if not accepted(f"{label}: create card", created, (201,)):
        return
    card_id = created.json()["id"]
    listed = root.get("/api/cards", params=params or {})
    R.check(f"{label}: the new card is on the board", card_id in [c["id"] for c in listed.json()],
            f"got {describe(listed)}", DOC_RULE)
    accepted(f"{label}: claim", root.post(f"/api/cards/{card_id}/claim", {"agent": "holder"}, headers=headers))
    R.equal(f"{label}: card claimed", root.get(f"/api/cards/{card_id}").json().get("claimed_by"), "holder",
            DOC_RULE)
    accepted(f"{label}: note", root.post(f"/api/cards/{card_id}/notes", {"author": "holder", "content": "hi"},
                                         headers=headers), (201,))
    notes = root.get(f"/api/cards/{card_id}/notes").json()
    R.check(f"{label}: note stored", any(n.get("content") == "hi" for n in notes), f"got {short(notes)}", DOC_RULE)
    accepted(f"{label}: move", root.post(f"/api/cards/{card_id}/move",
                                         {"column_name": target_column, "actor": "holder"}, headers=headers))
    R.equal(f"{label}: card moved", root.get(f"/api/cards/{card_id}").json().get("column_name"), target_column,
            "a column's key is its id (TOOL.md, Many boards)")
    title = unique("renamed")
    accepted(f"{label}: update (PATCH)", root.patch(f"/api/cards/{card_id}", {"title": title}, headers=headers))
    R.equal(f"{label}: title changed", root.get(f"/api/cards/{card_id}").json().get("title"), title, DOC_RULE)
    accepted(f"{label}: delete", root.delete(f"/api/cards/{card_id}", params={"reason": "done here"},
                                             headers=headers))
    R.equal(f"{label}: card gone", root.get(f"/api/cards/{card_id}").status_code, 404, DOC_RULE)


def v1_refused(name, response):
    body = body_of(response)
    good = response.status_code == 401 and isinstance(body, dict) and body.get("code") == "UNAUTHORIZED"
    return R.check(f"{name} -> 401 UNAUTHORIZED", good, f"got {describe(response)}", DOC_V1_AUTH)


# ---------------------------------------------------------------- group 1: no admin key

def g_open_tack_api():
    board, manage, columns = v1_board()
    other_board, other_manage, _ = v1_board()
    R.check("a board made on /api/v1 returns a kb_ manage key", isinstance(manage, str) and manage.startswith("kb_"),
            f"got {manage!r}", "Returns `manage_key` -- save it, it's shown only once")
    card_id = tack_card(board, manage)
    target = columns[1]
    # Refused: no key, another board's manage key, a read key for this board, an edit key for another board.
    tack_writes_refused("no key", {}, board, card_id, target, doc=DOC_CARD_ON_KEYED)
    tack_writes_refused("other board's kb_", bearer(other_manage), board, card_id, target)
    tack_writes_refused("other board's kb_ as X-API-Key", {"X-API-Key": other_manage}, board, card_id, target)
    read_key = make_key(unique("read"), f"--board {board}:read")
    other_edit = make_key(unique("other"), f"--board {other_board}:edit")
    edit_key = make_key(unique("edit"), f"--board {board}:edit")
    if read_key:
        tack_writes_refused("ak_ read key for this board", bearer(read_key), board, card_id, target)
        tack_writes_refused("ak_ edit key for another board", bearer(other_edit), board, card_id, target)
    else:
        R.skip("ak_ keys refused", "no --key-command")
    # Accepted: the board's manage key (both header forms), an ak_ edit key for it.
    tack_writes_accepted("board's kb_ (Bearer)", bearer(manage), board, target)
    tack_writes_accepted("board's kb_ (X-API-Key)", {"X-API-Key": manage}, board, columns[2])
    if edit_key:
        tack_writes_accepted("ak_ edit key for this board", bearer(edit_key), board, target)
    else:
        R.skip("ak_ edit key accepted", "no --key-command")
    # The card refused above is still intact and can be changed with the key.
    accepted("kb_: note on the card the refused writes named",
             root.post(f"/api/cards/{card_id}/notes", {"author": "owner", "content": "mine"}, headers=bearer(manage)),
             (201,))


def g_open_v1_access_keys():
    board, manage, columns = v1_board()
    other_board, _, _ = v1_board()
    edit_key = make_key(unique("edit"), f"--board {board}:edit")
    if not edit_key:
        R.skip("/api/v1 with ak_ keys", "no --key-command")
        return
    read_key = make_key(unique("read"), f"--board {board}:read")
    other_edit = make_key(unique("other"), f"--board {other_board}:edit")
    path = f"/boards/{board}/tasks"
    seed = v1.post(path, {"title": unique("seed")}, headers=bearer(manage))
    if seed.status_code != 201:
        raise AssertionError(f"could not create a task: {describe(seed)}")
    seed_id = seed.json()["id"]
    before = board_state(board, [seed_id])
    for label, key in (("no key", None), ("ak_ read key for this board", read_key),
                       ("ak_ edit key for another board", other_edit)):
        h = bearer(key)
        v1_refused(f"/api/v1 {label}: create task", v1.post(path, {"title": unique("no")}, headers=h))
        v1_refused(f"/api/v1 {label}: comment", v1.post(f"{path}/{seed_id}/comment", {"message": "x"}, headers=h))
        v1_refused(f"/api/v1 {label}: claim", v1.post(f"{path}/{seed_id}/claim", params={"actor": "x"}, headers=h))
        v1_refused(f"/api/v1 {label}: move", v1.post(f"{path}/{seed_id}/move/{columns[1]}", headers=h))
        v1_refused(f"/api/v1 {label}: update", v1.patch(f"{path}/{seed_id}", {"title": "x"}, headers=h))
        v1_refused(f"/api/v1 {label}: delete", v1.delete(f"{path}/{seed_id}", headers=h))
    R.equal("/api/v1 refused writes changed nothing", board_state(board, [seed_id]), before, DOC_REFUSED)
    h = bearer(edit_key)
    created = v1.post(path, {"title": unique("ak")}, headers=h)
    if not accepted("/api/v1 ak_ edit key: create task", created, (201,)):
        return
    task = created.json()["id"]
    accepted("/api/v1 ak_ edit key: comment", v1.post(f"{path}/{task}/comment", {"message": "hello", "actor_name": "ak"},
                                                       headers=h), (201,))
    accepted("/api/v1 ak_ edit key: claim", v1.post(f"{path}/{task}/claim", params={"actor": "ak"}, headers=h))
    accepted("/api/v1 ak_ edit key: release", v1.post(f"{path}/{task}/release", params={"actor": "ak"}, headers=h))
    accepted("/api/v1 ak_ edit key: move", v1.post(f"{path}/{task}/move/{columns[1]}", headers=h))
    accepted("/api/v1 ak_ edit key: update", v1.patch(f"{path}/{task}", {"title": "changed by ak"}, headers=h))
    got = v1.get(f"{path}/{task}").json()
    R.check("/api/v1 ak_ edit key: changes read back", got.get("title") == "changed by ak"
            and got.get("column_id") == columns[1] and got.get("comment_count") == 1, f"got {short(got)}", DOC_RULE)
    accepted("/api/v1 ak_ edit key: delete", v1.delete(f"{path}/{task}", headers=h))
    R.equal("/api/v1 ak_ edit key: task gone", v1.get(f"{path}/{task}").status_code, 404, DOC_RULE)
    # ASSUMPTION: ?key= (the contract's third way of passing the key) also takes an access key.
    by_query = v1.post(path, {"title": unique("q")}, params={"key": edit_key})
    accepted("/api/v1 ak_ edit key as ?key=", by_query, (201,))


def g_open_main():
    # Board main has no manage key, and TACK_API_KEY is unset: no key is needed.
    created = root.post("/api/cards", {"title": unique("main")})
    R.status("main, no key: create card", created, 201, DOC_NO_MANAGE)
    if created.status_code != 201:
        return
    card_id = created.json()["id"]
    R.status("main, no key: claim", root.post(f"/api/cards/{card_id}/claim", {"agent": "anon"}), 200, DOC_NO_MANAGE)
    R.status("main, no key: note", root.post(f"/api/cards/{card_id}/notes", {"author": "anon", "content": "n"}), 201,
             DOC_NO_MANAGE)
    R.status("main, no key: move", root.post(f"/api/cards/{card_id}/move", {"column_name": "in_progress"}), 200,
             DOC_NO_MANAGE)
    R.status("main, no key: update", root.patch(f"/api/cards/{card_id}", {"title": unique("m")}), 200, DOC_NO_MANAGE)
    got = root.get(f"/api/cards/{card_id}").json()
    R.check("main, no key: changes read back", got.get("claimed_by") == "anon" and got.get("column_name") == "in_progress",
            f"got {short(got)}", DOC_NO_MANAGE)
    R.status("main, no key: delete", root.delete(f"/api/cards/{card_id}", params={"reason": "r"}), 200, DOC_NO_MANAGE)
    # Another board's kb_ sent with a write on main does not stop it either (main is open).
    # ASSUMPTION: a key that is not for this board is simply not needed here, not an error.
    board, manage, _ = v1_board()
    with_key = root.post("/api/cards", {"title": unique("main")}, headers=bearer(manage))
    R.status("main, with another board's kb_: create card", with_key, 201, DOC_NO_MANAGE)
    # A Clawboo team is open too.
    team = claw.post("/teams", {"name": unique("team")})
    if R.status("clawboo team, no key: create team", team, 201, DOC_NO_MANAGE):
        team_id = team.json()["team"]["id"]
        task = claw.post("/board", {"title": unique("t"), "teamId": team_id})
        R.status("clawboo team, no key: create task", task, 200, DOC_NO_MANAGE)


# ---------------------------------------------------------------- group 3: the page

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_of(html):
    found = CSRF_META.search(html or "")
    return found.group(1) if found else None


TOAST = re.compile(r'<[^>]*id="toast"[^>]*>([^<]*)<', re.S)


def toast_of(html):
    """The message the page shows; any text there counts (the element is what the rendered page uses)."""
    found = TOAST.search(html or "")
    return found.group(1).strip() if found else ""


def page_note(session, board, card_id, token, content):
    return session.post(f"{BASE}/web/cards/{card_id}/notes", data={"content": content, "board": board},
                        headers={"X-CSRFToken": token or "", "HX-Request": "true"}, timeout=30,
                        allow_redirects=False)


def notes_of(card_id):
    return [n.get("content") for n in root.get(f"/api/cards/{card_id}/notes").json()]


def g_page_manage_link():
    board, manage, _ = v1_board()
    s = requests.Session()
    response = s.get(f"{BASE}/board/{board}", params={"key": manage}, allow_redirects=False, timeout=30)
    R.status("GET /board/<id>?key=<kb_>", response, 303, DOC_MANAGE_LINK)
    location = urlsplit(response.headers.get("Location", ""))
    R.check("redirect goes to the same path without the key",
            location.path == f"/board/{board}" and "key=" not in location.query and manage not in response.headers.get(
                "Location", ""), f"Location: {response.headers.get('Location')!r}", DOC_MANAGE_LINK)
    wrong = requests.get(f"{BASE}/board/{board}", params={"key": "kb_" + "x" * 40}, allow_redirects=False, timeout=30)
    R.status("GET /board/<id>?key=<wrong kb_>", wrong, 401, DOC_MANAGE_LINK + " (a wrong key is refused)")
    # ASSUMPTION: another board's real manage key is as wrong as a made-up one.
    other, other_manage, _ = v1_board()
    cross = requests.get(f"{BASE}/board/{board}", params={"key": other_manage}, allow_redirects=False, timeout=30)
    R.status("GET /board/<id>?key=<another board's kb_>", cross, 401, DOC_MANAGE_LINK)
    plain = requests.get(f"{BASE}/board/{board}", timeout=30)
    R.status("GET /board/<id> without a key (anyone may read)", plain, 200, "anyone may read the board")


def g_page_writes():
    board, manage, _ = v1_board()
    other, other_manage, _ = v1_board()
    card_id = tack_card(board, manage)
    other_card = tack_card(other, other_manage)
    # An anonymous visitor: the page (and its CSRF token) but no key.
    anon = requests.Session()
    page = anon.get(f"{BASE}/board/{board}", timeout=30)
    token = csrf_of(page.text)
    R.check("board page carries a csrf-token meta tag", page.status_code == 200 and bool(token),
            f"status {page.status_code}", "Every page write carries a CSRF token")
    before = board_state(board, [card_id])
    response = page_note(anon, board, card_id, token, "anonymous page note")
    # ASSUMPTION: "401 in the surface's error shape (...; on the page, the message)": the page's
    # refusal is a 401 whose HTML carries a non-empty message (the page's #toast element, as seen in the
    # rendered page; the document does not name where the message goes).
    R.check("page, anonymous: note on a keyed board's card refused (401)", response.status_code == 401,
            f"got {response.status_code} {short(response.text)}", DOC_CARD_ON_KEYED + "; " + DOC_REFUSED)
    message = toast_of(response.text)
    R.check("page, anonymous: refusal carries a message", bool(message),
            f"got no message in {short(response.text)} ({response.status_code})", DOC_REFUSED)
    if R.verbose:
        print(f"      message: {message!r}")
    R.equal("page, anonymous: nothing changed", board_state(board, [card_id]), before, DOC_REFUSED)
    # The same anonymous session on board main (no manage key, no admin key): open.
    main_card = tack_card(None, None)
    main_page = anon.get(f"{BASE}/", timeout=30)
    response = page_note(anon, "main", main_card, csrf_of(main_page.text), "main page note")
    R.check("page, anonymous: note on a main card works", response.status_code < 400
            and "main page note" in notes_of(main_card), f"got {response.status_code} {short(response.text)}",
            DOC_NO_MANAGE)
    # Open the manage link in a session, then write from the page.
    holder = requests.Session()
    opened = holder.get(f"{BASE}/board/{board}", params={"key": manage}, timeout=30)  # follows the 303
    token = csrf_of(opened.text)
    R.check("page, manage link opened: page and token served", opened.status_code == 200 and bool(token),
            f"status {opened.status_code}", DOC_MANAGE_LINK)
    response = page_note(holder, board, card_id, token, "manage link page note")
    R.check("page, after the manage link: note written", response.status_code < 400
            and "manage link page note" in notes_of(card_id),
            f"got {response.status_code} {short(response.text)}; notes {notes_of(card_id)}", DOC_MANAGE_LINK)
    # Without the CSRF token the same session's write is refused.
    # ASSUMPTION: a missing CSRF token is a 4xx (400 or 403) and writes nothing.
    before = board_state(board, [card_id])
    response = page_note(holder, board, card_id, "", "no token note")
    R.check("page, after the manage link, no CSRF token: refused (4xx)", 400 <= response.status_code < 500,
            f"got {response.status_code} {short(response.text)}", "Every page write carries a CSRF token")
    R.equal("page, no CSRF token: nothing changed", board_state(board, [card_id]), before, DOC_REFUSED)
    # The manage link of board A does not open board B.
    before = board_state(other, [other_card])
    response = page_note(holder, other, other_card, token, "cross board note")
    R.check("page, manage link of board A: note on board B refused (401)", response.status_code == 401,
            f"got {response.status_code} {short(response.text)}", "a board's manage key (`kb_...`): that board")
    R.equal("page, board B: nothing changed", board_state(other, [other_card]), before, DOC_REFUSED)
    # The sign-in form with the manage key works like the manage link.
    signer = requests.Session()
    page = signer.get(f"{BASE}/board/{other}", timeout=30)
    token = csrf_of(page.text)
    signed = signer.post(f"{BASE}/web/sign-in", data={"csrf_token": token, "board": other, "name": "signer",
                                                      "key": other_manage}, timeout=30)
    R.check("page, sign-in form with board B's manage key accepted", signed.status_code < 400,
            f"got {signed.status_code} {short(signed.text)}",
            "or typed its manage key into the sign-in form")
    page = signer.get(f"{BASE}/board/{other}", timeout=30)
    response = page_note(signer, other, other_card, csrf_of(page.text), "signed in note")
    R.check("page, signed in with board B's key: note written", response.status_code < 400
            and "signed in note" in notes_of(other_card),
            f"got {response.status_code} {short(response.text)}", "or typed its manage key into the sign-in form")


# ---------------------------------------------------------------- group 2: admin key set

def g_admin_tack_api():
    admin = ARGS.api_key
    board_a, manage_a, columns_a = v1_board(admin)
    main_card = tack_card(None, admin)
    tack_writes_refused("main, no key", {}, None, main_card, "in_progress", phrase="API key",
                        doc=DOC_ADMIN_SET + "; " + DOC_COMPAT_AUTH)
    tack_writes_refused("main, board A's kb_", bearer(manage_a), None, main_card, "in_progress")
    tack_writes_refused("main, wrong admin key", {"X-API-Key": admin + "-wrong"}, None, main_card, "in_progress")
    tack_writes_accepted("main, admin key (Bearer)", bearer(admin), None, "in_progress")
    tack_writes_accepted("main, admin key (X-API-Key)", {"X-API-Key": admin}, None, "approved")
    tack_writes_accepted("board A, admin key", bearer(admin), board_a, columns_a[1])
    tack_writes_accepted("board A, its kb_", bearer(manage_a), board_a, columns_a[1])
    all_edit = make_key(unique("alledit"), "--all --permission edit")
    if not all_edit:
        R.skip("admin server, ak_ keys", "no --key-command")
        return
    all_read = make_key(unique("allread"), "--all --permission read")
    a_edit = make_key(unique("aedit"), f"--board {board_a}:edit")
    tack_writes_accepted("main, ak_ all-boards edit", bearer(all_edit), None, "in_progress")
    tack_writes_accepted("board A, ak_ all-boards edit", bearer(all_edit), board_a, columns_a[1])
    tack_writes_refused("main, ak_ all-boards read", bearer(all_read), None, main_card, "in_progress")
    card_a = tack_card(board_a, admin)
    tack_writes_refused("board A, ak_ all-boards read", bearer(all_read), board_a, card_a, columns_a[1])
    tack_writes_refused("main, ak_ edit for board A only", bearer(a_edit), None, main_card, "in_progress")
    tack_writes_accepted("board A, ak_ edit for board A", bearer(a_edit), board_a, columns_a[1])


def claw_refused(name, response):
    body = body_of(response)
    good = response.status_code == 401 and isinstance(body, dict) and body.get("ok") is False \
        and isinstance(body.get("error"), str)
    return R.check(f"{name} -> 401 {{ok:false, error}}", good, f"got {describe(response)}",
                   "401 in the surface's error shape (Clawboo `unauthorized`); docs/clawboo.md: "
                   "401 `{ok: false, error: \"unauthorized\"}`")


def claw_state(team_id, task_id):
    listed = claw.get("/board", params={"teamId": team_id, "includeDropped": "true"})
    one = claw.get(f"/board/{task_id}")
    task = one.json().get("task", {}) if one.status_code == 200 else {}
    return {
        "task ids": sorted(t["id"] for t in listed.json().get("tasks", [])) if listed.status_code == 200
        else listed.status_code,
        "task": {k: task.get(k) for k in ("status", "title", "priority", "assigneeAgentId", "updatedAt")},
        "comments": len(one.json().get("comments", [])) if one.status_code == 200 else one.status_code,
    }


def claw_writes_refused(label, headers, team_id, task_id):
    before = claw_state(team_id, task_id)
    claw_refused(f"clawboo {label}: create task", claw.post("/board", {"title": unique("no"), "teamId": team_id},
                                                            headers=headers))
    claw_refused(f"clawboo {label}: claim", claw.post(f"/board/{task_id}/claim", {"assigneeAgentId": "intruder"},
                                                      headers=headers))
    claw_refused(f"clawboo {label}: PATCH status", claw.patch(f"/board/{task_id}", {"status": "blocked"},
                                                              headers=headers))
    claw_refused(f"clawboo {label}: PATCH title", claw.patch(f"/board/{task_id}", {"title": unique("x")},
                                                             headers=headers))
    claw_refused(f"clawboo {label}: comment", claw.post(f"/board/{task_id}/comments",
                                                        {"body": "x", "authorAgentId": "intruder",
                                                         "authorType": "agent"}, headers=headers))
    claw_refused(f"clawboo {label}: delete", claw.delete(f"/board/{task_id}", headers=headers))
    R.equal(f"clawboo {label}: team's tasks, task and comments unchanged", claw_state(team_id, task_id), before,
            DOC_REFUSED)


def g_admin_clawboo():
    admin = ARGS.api_key
    teams = []
    for _ in range(2):
        response = claw.post("/teams", {"name": unique("team")}, headers=bearer(admin))
        if response.status_code != 201:
            raise AssertionError(f"could not create a team with the admin key: {describe(response)}")
        teams.append(response.json()["team"]["id"])
    team, other_team = teams
    no_team = claw.post("/teams", {"name": unique("team")})
    claw_refused("clawboo no key: create team", no_team)
    seed = claw.post("/board", {"title": unique("seed"), "teamId": team}, headers=bearer(admin))
    if seed.status_code != 200:
        raise AssertionError(f"could not create a task with the admin key: {describe(seed)}")
    task_id = seed.json()["task"]["id"]
    claw_writes_refused("no key", {}, team, task_id)
    claw_writes_refused("wrong key", bearer(admin + "-wrong"), team, task_id)
    # ASSUMPTION: a team is a board, so `tack keys create --board <teamId>:edit` names it.
    team_key = make_key(unique("team"), f"--board {team}:edit")
    if not team_key:
        R.skip("clawboo ak_ keys", "no --key-command")
        return
    other_key = make_key(unique("otherteam"), f"--board {other_team}:edit")
    read_key = make_key(unique("teamread"), f"--board {team}:read")
    claw_writes_refused("ak_ edit key for another team", bearer(other_key), team, task_id)
    claw_writes_refused("ak_ read key for this team", bearer(read_key), team, task_id)
    h = bearer(team_key)
    created = claw.post("/board", {"title": unique("ak"), "teamId": team}, headers=h)
    if not accepted("clawboo ak_ edit key for the team: create task", created, (200, 201)):
        return
    mine = created.json()["task"]["id"]
    claimed = claw.post(f"/board/{mine}/claim", {"assigneeAgentId": "ak-agent"}, headers=h)
    accepted("clawboo ak_ edit key for the team: claim", claimed)
    accepted("clawboo ak_ edit key for the team: comment",
             claw.post(f"/board/{mine}/comments", {"body": "hello", "authorAgentId": "ak-agent", "authorType": "agent"},
                       headers=h), (200, 201))
    accepted("clawboo ak_ edit key for the team: PATCH status in_review",
             claw.patch(f"/board/{mine}", {"status": "in_review"}, headers=h))
    accepted("clawboo ak_ edit key for the team: PATCH on the seeded task",
             claw.patch(f"/board/{task_id}", {"title": "renamed by ak"}, headers=h))
    got = claw.get(f"/board/{mine}").json()
    R.check("clawboo ak_ edit key: changes read back", got.get("task", {}).get("status") == "in_review"
            and any(c.get("body") == "hello" for c in got.get("comments", [])), f"got {short(got)}", DOC_RULE)
    # The other team's key works on its own team.
    own = claw.post("/board", {"title": unique("own"), "teamId": other_team}, headers=bearer(other_key))
    accepted("clawboo ak_ edit key for team B: create task on team B", own, (200, 201))


# ---------------------------------------------------------------- run

def main():
    health = root.get("/health")
    if health.status_code != 200:
        print(f"server not reachable: {describe(health)}")
        sys.exit(1)
    if ARGS.api_key:
        R.group("admin server: Tack /api", g_admin_tack_api)
        R.group("admin server: Clawboo /clawboo/api", g_admin_clawboo)
    else:
        R.group("open server: keyed board through Tack /api", g_open_tack_api)
        R.group("open server: /api/v1 with access keys", g_open_v1_access_keys)
        R.group("open server: board main and Clawboo teams stay open", g_open_main)
        R.group("page: manage link", g_page_manage_link)
        R.group("page: writes", g_page_writes)
    R.finish()


if __name__ == "__main__":
    main()
