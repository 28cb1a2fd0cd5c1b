"""Large read answers gzipped for clients that ask: the same JSON either way, the
same ETag, and the board's pieces kept right through patches and rebuilds."""
import gzip

import orjson
import pytest
from helpers import make_card

from tack.api import board_state, compression

GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
def small_pieces(monkeypatch):
    """Two cards a piece and no size floor, so a few cards span several pieces."""
    monkeypatch.setattr(board_state, "CARDS_PER_PIECE", 2)
    monkeypatch.setattr(compression, "MIN_SIZE", 0)


def both_encodings(client, path):
    plain = client.get(path)
    packed = client.get(path, headers=GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert plain.headers["ETag"] == packed.headers["ETag"]
    assert gzip.decompress(packed.data) == plain.data
    return orjson.loads(plain.data)


def test_the_board_gzipped_is_the_board_through_patches_and_rebuilds(client, small_pieces):
    ids = [make_card(client, title=f"Card {i}") for i in range(5)]
    assert [c["id"] for c in both_encodings(client, "/api/board")["inbox"]] == ids
    client.post(f"/api/cards/{ids[3]}/notes", json={"content": "patched piece"})
    client.post(f"/api/cards/{ids[0]}/claim", json={"agent": "a1"})
    board = both_encodings(client, "/api/board")
    assert board["inbox"][0]["claimed_by"] == "a1"
    extra = make_card(client, title="Rebuilt")
    client.post(f"/api/cards/{ids[1]}/move", json={"column_name": "approved"})
    board = both_encodings(client, "/api/board")
    assert [c["id"] for c in board["inbox"]] == [ids[0], *ids[2:], extra]
    assert [c["id"] for c in board["approved"]] == [ids[1]]
    sparse = both_encodings(client, "/api/board?fields=id,title")
    assert sparse["inbox"][-1] == {"id": extra, "title": "Rebuilt"}


def test_a_304_answers_either_encoding(client, small_pieces):
    make_card(client)
    etag = client.get("/api/board", headers=GZIP).headers["ETag"]
    assert client.get("/api/board", headers={"If-None-Match": etag}).status_code == 304


def test_lists_are_gzipped_when_large_enough(client, monkeypatch):
    make_card(client, title="Small")
    assert "Content-Encoding" not in client.get("/api/cards", headers=GZIP).headers
    monkeypatch.setattr(compression, "MIN_SIZE", 0)
    assert both_encodings(client, "/api/cards?column=inbox")[0]["title"] == "Small"


def test_pieces_join_into_one_stream():
    pieces = [b'{"a":[', b"1,2", b",3", b"]}"]
    body = b"".join(pieces)
    assert gzip.decompress(compression.gzip_from_pieces(
        body, [compression.deflated(piece) for piece in pieces])) == body
