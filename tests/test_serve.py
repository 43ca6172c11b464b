"""`rag serve` over real HTTP: httpx against uvicorn listening on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from click.testing import CliRunner

from rag.ask import search
from rag.backend import open_index
from rag.cite import answer_json
from rag.cli import main

from .test_access import KEY, QUERIES, leaks, restricted_index  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def server(restricted_index, encoder):  # noqa: F811
    import uvicorn

    from rag.serve import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(restricted_index, encoder), host="127.0.0.1", port=port,
                            log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not running.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(10)


@pytest.fixture()
def client(server, monkeypatch):
    monkeypatch.setenv("RAG_MEMBER_KEY", KEY)
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


def member() -> dict:
    return {"Authorization": f"Bearer {KEY}"}


def test_ask_returns_the_same_json_as_the_cli(client, restricted_index, encoder):  # noqa: F811
    question = "Which company won the school meals contract?"
    response = client.post("/ask", json={"question": question, "k": 3})
    assert response.status_code == 200
    cli = json.loads(CliRunner().invoke(main, ["ask", question, "--k", "3", "--json", "--index",
                                               str(restricted_index)]).output)
    assert response.json() == cli
    assert "Caterlink" in response.json()["passages"][0]["text"]
    index = open_index(restricted_index)
    assert response.json() == answer_json(search(index, encoder, question, k=3))


@pytest.mark.parametrize("query", QUERIES)
def test_public_responses_never_hold_restricted_papers(client, query):
    for path, body in (("/ask", {"question": query, "k": 10}),
                       ("/precedents", {"text": query, "limit": 10})):
        response = client.post(path, json=body)
        assert response.status_code == 200
        assert leaks(response.text, query) == [], path
    assert leaks(client.get("/papers").text) == []
    assert leaks(client.get("/health").text) == []


def test_a_member_key_unlocks_restricted_papers(client):
    found = client.post("/ask", json={"question": "zanzibar depot acquisition"},
                        headers=member()).json()
    assert "Quayside" in found["passages"][0]["text"]
    papers = client.get("/papers", headers=member()).json()["papers"]
    assert len(papers) == 5 and len(client.get("/papers").json()["papers"]) == 2
    hidden = next(p["doc_id"] for p in papers if p["access"] == "restricted")
    assert client.get(f"/papers/{hidden}", headers=member()).status_code == 200
    public = client.get(f"/papers/{hidden}")
    assert public.status_code == 404 and public.json() == {"error": f"no paper {hidden!r}"}


def test_a_wrong_key_is_refused_in_one_line(client):
    response = client.post("/ask", json={"question": "school meals"},
                           headers={"Authorization": "Bearer guess"})
    assert response.status_code == 401
    assert response.json() == {"error": "that member key is not recognised"}


def test_papers_and_one_paper(client):
    papers = client.get("/papers").json()["papers"]
    assert [p["date"] for p in papers] == ["2015-03-02", "2017-01-30"]
    one = client.get(f"/papers/{papers[0]['doc_id']}").json()
    assert one["title"] == papers[0]["title"] and "Caterlink" in one["text"]


def test_precedents_match_the_cli(client, restricted_index):  # noqa: F811
    text = "school meals contract"
    response = client.post("/precedents", json={"text": text, "limit": 5}).json()
    cli = json.loads(CliRunner().invoke(main, ["precedents", text, "--limit", "5", "--json",
                                               "--index", str(restricted_index)]).output)
    assert response == cli and response["papers"]


@pytest.mark.parametrize("body, message", [
    ({"question": ""}, "question: String should have at least 1 character"),
    ({"question": "  \n "}, "question: String should have at least 1 character"),
    ({"question": "x" * 1001}, "question: String should have at most 1000 characters"),
    ({"question": "meals", "k": 0}, "k: Input should be greater than or equal to 1"),
    ({"question": "meals", "k": 51}, "k: Input should be less than or equal to 50"),
    ({"question": "meals", "since": "March"}, "since: Input should be a valid date"),
    ({}, "question: Field required"),
])
def test_bad_requests_get_one_line_errors(client, body, message):
    response = client.post("/ask", json=body)
    assert response.status_code == 422
    assert response.json()["error"].startswith(message)
    assert "\n" not in response.text


def test_a_large_body_is_refused(client):
    response = client.post("/ask", content=b'{"question": "' + b"a" * 20_000 + b'"}',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json() == {
        "error": "the request body is over 16 KiB"}


def test_the_openapi_schema_names_every_route(client):
    schema = client.get("/openapi.json").json()
    assert {"/ask", "/precedents", "/papers", "/papers/{doc_id}", "/health"} <= set(
        schema["paths"])
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_public_and_member_asks_at_once_each_get_the_answer_asked_alone(client):
    asks = [(q, who) for q in QUERIES + ["school meals contract"] for who in (None, member())]

    def post(ask):
        return client.post("/ask", json={"question": ask[0], "k": 5}, headers=ask[1]).text

    alone = [post(ask) for ask in asks]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(post, asks * 2))
    assert together == alone * 2
    assert all(leaks(text, q) == [] for text, (q, who) in zip(alone, asks) if who is None)
    assert any(leaks(text, q) for text, (q, who) in zip(alone, asks) if who is not None)


def test_serve_refuses_a_missing_index_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no index in" in result.output
