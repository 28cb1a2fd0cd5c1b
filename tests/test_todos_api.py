"""/api/cards/{id}/todos: the todo checklist on the Tack API, on any board, the same
items the AgentKanban surface and the card dialog show."""
from helpers import make_card


def add(client, card_id, text, headers=None, **extra):
    return client.post(f"/api/cards/{card_id}/todos", json={"text": text, **extra},
                       headers=headers)


def listed(client, card_id):
    response = client.get(f"/api/cards/{card_id}/todos")
    assert response.status_code == 200, response.json
    return [(todo["text"], todo["done"], todo["iteration"]) for todo in response.json]


def test_add_tick_reword_reorder_and_delete(client, frozen):
    card_id = make_card(client, title="Ship it")
    first = add(client, card_id, "write the migration", actor="agent-7")
    assert first.status_code == 201, first.json
    assert first.json | {"id": "x"} == {
        "id": "x", "card_id": card_id, "text": "write the migration", "done": False,
        "iteration": 1, "position": 0, "source": "api",
        "created_at": "2026-03-02T09:00:00+00:00", "updated_at": "2026-03-02T09:00:00+00:00"}
    second = add(client, card_id, "run it on staging", iteration=2, source="agent").json
    third = add(client, card_id, "tell the team", done=True).json
    assert listed(client, card_id) == [("write the migration", False, 1),
                                       ("tell the team", True, 1),
                                       ("run it on staging", False, 2)]

    ticked = client.patch(f"/api/cards/{card_id}/todos/{first.json['id']}",
                          json={"done": True, "text": "write the migrations"})
    assert ticked.status_code == 200 and ticked.json["done"] is True
    reordered = client.post(f"/api/cards/{card_id}/todos/reorder",
                            json={"ordered_ids": [third["id"]], "actor": "agent-7"})
    assert [todo["text"] for todo in reordered.json] == \
        ["tell the team", "write the migrations", "run it on staging"]
    deleted = client.delete(f"/api/cards/{card_id}/todos/{second['id']}?actor=agent-7")
    assert deleted.status_code == 200 and deleted.json == {"status": "deleted"}
    assert listed(client, card_id) == [("tell the team", True, 1),
                                       ("write the migrations", True, 1)]
    actions = [change["action"] for change in
               client.get("/api/changes?after=0&limit=100").json["changes"]]
    assert actions.count("todo_added") == 3 and "todo_updated" in actions
    assert "todos_reordered" in actions and "todo_deleted" in actions


def test_todos_of_a_card_on_another_board(client):
    board = client.post("/api/v1/boards", json={"name": "other", "workflow": "tack"}).json
    key = {"X-API-Key": board["manage_key"]}
    card_id = client.post(f"/api/cards?board={board['id']}", json={"title": "there"},
                          headers=key).json["id"]
    assert add(client, card_id, "without its board's key").status_code == 401
    assert add(client, card_id, "on the other board", headers=key).status_code == 201
    assert listed(client, card_id) == [("on the other board", False, 1)]


def test_refusals_are_tacks_error_shape(client):
    card_id = make_card(client, title="Ship it")
    unknown_card = client.get("/api/cards/card-00000000/todos")
    assert (unknown_card.status_code, unknown_card.json["code"]) == (404, "CARD_NOT_FOUND")
    unknown_todo = client.patch(f"/api/cards/{card_id}/todos/nope", json={"done": True})
    assert (unknown_todo.status_code, unknown_todo.json["code"]) == (404, "TODO_NOT_FOUND")
    blank = add(client, card_id, "   ")
    assert blank.status_code == 422 and "text" in blank.json["errors"]["json"]
    source = add(client, card_id, "x", source="robot")
    assert (source.status_code, source.json["code"]) == (400, "INVALID_INPUT")
    iteration = add(client, card_id, "x", iteration=-1)
    assert iteration.status_code == 422
    twice = client.post(f"/api/cards/{card_id}/todos/reorder",
                        json={"ordered_ids": ["a", "a"]})
    assert (twice.status_code, twice.json["code"]) == (400, "INVALID_INPUT")


def test_todo_writes_need_the_key_when_the_board_has_one(app, client):
    app.config["TACK"].api_key = "k"
    card_id = client.post("/api/cards", json={"title": "t"}, headers={"X-API-Key": "k"}) \
        .json["id"]
    refused = add(client, card_id, "no key")
    assert (refused.status_code, refused.json["code"]) == (401, "UNAUTHORIZED")
    assert client.get(f"/api/cards/{card_id}/todos").status_code == 200
