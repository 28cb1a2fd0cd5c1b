"""/api/v1 search and dependencies through the Flask client: the contract's shapes,
its error codes for bad input (and that a refusal changes nothing), and that a
dependency made here holds on Tack's /api."""
import pytest
from kanban_helpers import assert_error, auth, make_board, make_task

ADMIN = "admin-secret-key"
DEPENDENCY_KEYS = {
    "id", "board_id", "blocker_task_id", "blocker_title", "blocker_column",
    "blocker_completed", "blocked_task_id", "blocked_title", "blocked_column", "note",
    "created_by", "created_at",
}


@pytest.fixture
def config_overrides():
    return {"board_rate_limit": "1000/hour", "api_key": ADMIN}


@pytest.fixture
def board(client):
    return make_board(client, columns=["Todo", "Doing", "Done"])


def url(board, rest=""):
    return f"/api/v1/boards/{board['id']}{rest}"


def search(client, board, **params):
    return client.get(url(board, "/tasks/search"), query_string=params)


def depend(client, board, blocker, blocked, **fields):
    return client.post(url(board, "/dependencies"), headers=auth(board), json={
        "blocker_task_id": blocker["id"], "blocked_task_id": blocked["id"], **fields})


def dependencies_of(client, board, **params):
    response = client.get(url(board, "/dependencies"), query_string=params)
    assert response.status_code == 200, response.json
    return response.json


# --- search ---

def test_search_ranks_title_first_and_pages_with_a_total(client, board):
    in_description = make_task(client, board, title="Docs", description="explain auth")
    in_title = make_task(client, board, title="Implement auth")
    in_label = make_task(client, board, title="Styles", labels=["Auth"])
    make_task(client, board, title="Unrelated")
    body = search(client, board, q="AUTH").json
    assert set(body) == {"query", "tasks", "total", "limit", "offset"}
    assert (body["query"], body["total"], body["limit"], body["offset"]) == ("AUTH", 3, 50, 0)
    assert [t["id"] for t in body["tasks"]] == \
        [in_title["id"], in_label["id"], in_description["id"]]
    assert body["tasks"][0]["title"] == "Implement auth"
    assert body["tasks"][1]["labels"] == ["auth"]
    page = search(client, board, q="auth", limit=1, offset=1).json
    assert (page["total"], page["limit"], page["offset"]) == (3, 1, 1)
    assert [t["id"] for t in page["tasks"]] == [in_label["id"]]


def test_search_combines_with_the_list_filters(client, board):
    todo, doing = board["columns"][0]["id"], board["columns"][1]["id"]
    mine = make_task(client, board, title="auth one", assigned_to="jordan", priority=2,
                     labels=["backend"])
    later = make_task(client, board, title="auth two", column_id=doing)
    make_task(client, board, title="auth three", priority="low")

    def ids(**params):
        return [t["id"] for t in search(client, board, q="auth", **params).json["tasks"]]

    assert ids(column=doing) == [later["id"]]
    assert ids(column=todo, assigned="jordan") == [mine["id"]]
    assert ids(priority=2) == [mine["id"]] == ids(priority="high")
    assert ids(label="backend") == [mine["id"]]
    client.post(url(board, f"/tasks/{later['id']}/claim"), headers=auth(board),
                query_string={"actor": "Sam"})
    assert ids(claimed="Sam") == [later["id"]]


def test_search_leaves_archived_tasks_and_other_boards_out(client, board):
    task = make_task(client, board, title="auth")
    client.post(url(board, f"/tasks/{task['id']}/archive"), headers=auth(board),
                query_string={"actor": "Nanook"})
    assert search(client, board, q="auth").json["total"] == 0
    other = make_board(client)
    make_task(client, other, title="auth elsewhere")
    assert search(client, board, q="auth").json == \
        {"query": "auth", "tasks": [], "total": 0, "limit": 50, "offset": 0}


def test_search_query_syntax_is_only_words(client, board):
    task = make_task(client, board, title="auth flow")
    for query in ['"auth', "auth (", "auth*", "-auth", "auth)"]:
        response = search(client, board, q=query)
        assert response.status_code == 200, (query, response.json)
        assert [t["id"] for t in response.json["tasks"]] == [task["id"]], query
    assert search(client, board, q="*( -").json["total"] == 0


@pytest.mark.parametrize("params, code", [
    ({}, "EMPTY_QUERY"),
    ({"q": ""}, "EMPTY_QUERY"),
    ({"q": "   "}, "EMPTY_QUERY"),
    ({"q": "auth", "limit": 0}, "INVALID_INPUT"),
    ({"q": "auth", "limit": 101}, "INVALID_INPUT"),
    ({"q": "auth", "limit": "ten"}, "INVALID_INPUT"),
    ({"q": "auth", "offset": -1}, "INVALID_INPUT"),
    ({"q": "auth", "priority": 9}, "INVALID_INPUT"),
    ({"q": "x" * 501}, "INVALID_INPUT"),
])
def test_search_bad_input_is_400_in_the_contract_shape(client, board, params, code):
    assert_error(search(client, board, **params), 400, code)


def test_search_limit_100_is_allowed_and_an_unknown_board_is_404(client, board):
    assert search(client, board, q="auth", limit=100).status_code == 200
    assert_error(client.get("/api/v1/boards/nope/tasks/search?q=auth"), 404,
                 "BOARD_NOT_FOUND")


# --- dependencies ---

def test_create_list_and_delete_a_dependency(client, board):
    doing = board["columns"][1]["id"]
    blocker = make_task(client, board, title="Implement auth", column_id=doing)
    blocked = make_task(client, board, title="Add API routes")
    third = make_task(client, board, title="Unrelated")
    response = depend(client, board, blocker, blocked, note="auth first",
                      actor_name="Nanook")
    assert response.status_code == 201, response.json
    created = response.json
    assert set(created) == DEPENDENCY_KEYS
    assert {k: v for k, v in created.items() if k not in ("id", "created_at")} == {
        "board_id": board["id"], "blocker_task_id": blocker["id"],
        "blocker_title": "Implement auth", "blocker_column": "Doing",
        "blocker_completed": False, "blocked_task_id": blocked["id"],
        "blocked_title": "Add API routes", "blocked_column": "Todo",
        "note": "auth first", "created_by": "Nanook"}
    assert created["created_at"].endswith("Z")
    second = depend(client, board, third, blocker).json
    assert [d["id"] for d in dependencies_of(client, board)] == [created["id"], second["id"]]
    assert [d["id"] for d in dependencies_of(client, board, task=blocked["id"])] == \
        [created["id"]]
    assert len(dependencies_of(client, board, task=blocker["id"])) == 2
    client.post(url(board, f"/tasks/{blocker['id']}/move/{board['columns'][2]['id']}"),
                headers=auth(board), query_string={"actor": "Nanook"})
    done = dependencies_of(client, board, task=blocked["id"])[0]
    assert (done["blocker_completed"], done["blocker_column"]) == (True, "Done")
    deleted = client.delete(url(board, f"/dependencies/{created['id']}"), headers=auth(board))
    assert (deleted.status_code, deleted.json) == (200, {"message": "Dependency deleted"})
    assert [d["id"] for d in dependencies_of(client, board)] == [second["id"]]


def test_dependency_refusals_are_400_invalid_input_and_change_nothing(client, board):
    first, second, third = (make_task(client, board, title=t) for t in "abc")
    depend(client, board, first, second)
    depend(client, board, second, third)
    before = dependencies_of(client, board)
    assert_error(depend(client, board, first, first), 400, "INVALID_INPUT")
    assert_error(depend(client, board, first, second), 400, "INVALID_INPUT")
    assert_error(depend(client, board, third, first), 400, "INVALID_INPUT")
    assert dependencies_of(client, board) == before


@pytest.mark.parametrize("body", [
    {}, {"blocker_task_id": "x"}, {"blocked_task_id": "x"},
    {"blocker_task_id": 5, "blocked_task_id": "x"},
    "not an object", [1, 2],
])
def test_dependency_bad_bodies_are_400(client, board, body):
    assert_error(client.post(url(board, "/dependencies"), headers=auth(board), json=body),
                 400, "INVALID_INPUT")
    assert dependencies_of(client, board) == []


def test_dependency_unknowns_and_keys(client, board):
    first, second = make_task(client, board, title="a"), make_task(client, board, title="b")
    assert_error(client.post(url(board, "/dependencies"), headers=auth(board), json={
        "blocker_task_id": "nope", "blocked_task_id": second["id"]}), 404, "TASK_NOT_FOUND")
    other = make_board(client)
    elsewhere = make_task(client, other, title="elsewhere")
    assert_error(depend(client, board, elsewhere, first), 404, "TASK_NOT_FOUND")
    assert_error(client.post(url(board, "/dependencies"), json={
        "blocker_task_id": first["id"], "blocked_task_id": second["id"]}), 401, "UNAUTHORIZED")
    assert_error(depend(client, board, first, second, note="n" * 2001), 400, "INVALID_INPUT")
    assert dependencies_of(client, board) == []
    created = depend(client, board, first, second).json
    assert_error(client.delete(url(board, "/dependencies/nope"), headers=auth(board)), 404,
                 "DEPENDENCY_NOT_FOUND")
    assert_error(client.delete(url(other, f"/dependencies/{created['id']}"),
                               headers=auth(other)), 404, "DEPENDENCY_NOT_FOUND")
    assert_error(client.delete(url(board, f"/dependencies/{created['id']}")), 401,
                 "UNAUTHORIZED")
    assert_error(client.get(url(board, "/dependencies?task=nope")), 404, "TASK_NOT_FOUND")
    assert_error(client.get("/api/v1/boards/nope/dependencies"), 404, "BOARD_NOT_FOUND")
    assert len(dependencies_of(client, board)) == 1


def test_deleting_a_task_removes_its_dependencies(client, board):
    first, second = make_task(client, board, title="a"), make_task(client, board, title="b")
    depend(client, board, first, second)
    client.delete(url(board, f"/tasks/{first['id']}"), headers=auth(board),
                  query_string={"actor": "Nanook"})
    assert dependencies_of(client, board) == []


def test_a_v1_dependency_blocks_claim_next_on_tack_api(client, board):
    blocker = make_task(client, board, title="first", priority="low")
    blocked = make_task(client, board, title="second", priority="critical")
    assert depend(client, board, blocker, blocked).status_code == 201
    claim_next = f"/api/cards/claim-next?board={board['id']}"
    admin = {"X-API-Key": ADMIN}
    claimed = client.post(claim_next, json={"agent": "a1"}, headers=admin)
    # The critical card waits for its blocker, so the low one is handed out.
    assert claimed.status_code == 200 and claimed.json["id"] == blocker["id"], claimed.json
    assert client.post(claim_next, json={"agent": "a2"}, headers=admin).status_code == 204


# --- display names on archive / unarchive ---

@pytest.mark.parametrize("action", ["archive", "unarchive"])
def test_archive_and_unarchive_need_a_name_even_when_nothing_changes(client, action):
    strict = make_board(client, require_display_name=True)
    task = make_task(client, strict, title="t")
    if action == "unarchive":
        client.post(url(strict, f"/tasks/{task['id']}/archive"), headers=auth(strict),
                    query_string={"actor": "Nanook"})
    for _ in range(2):  # the second call is a no-op when named
        assert_error(client.post(url(strict, f"/tasks/{task['id']}/{action}"),
                                 headers=auth(strict)), 400, "DISPLAY_NAME_REQUIRED")
        assert_error(client.post(url(strict, f"/tasks/{task['id']}/{action}"),
                                 headers=auth(strict), query_string={"actor": "anonymous"}),
                     400, "DISPLAY_NAME_REQUIRED")
        named = client.post(url(strict, f"/tasks/{task['id']}/{action}"),
                            headers=auth(strict), query_string={"actor": "Nanook"})
        assert named.status_code == 200
        assert (named.json["archived_at"] is None) == (action == "unarchive")


def test_openapi_lists_search_and_dependencies(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    for path in ("/api/v1/boards/{board_id}/tasks/search",
                 "/api/v1/boards/{board_id}/dependencies",
                 "/api/v1/boards/{board_id}/dependencies/{dependency_id}"):
        assert path in paths, sorted(paths)
    assert "default" in paths["/api/v1/boards/{board_id}/dependencies"]["post"]["responses"]
