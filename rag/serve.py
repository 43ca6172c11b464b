"""`rag serve`: the ask path over HTTP for other systems (an intranet, a chatbot, a case system).

The JSON is the same as `rag ask --json` and `rag precedents --json` (rag/cite.py). The same
access rule holds: a member key sent as a bearer token unlocks restricted papers; without
it a response never holds a restricted paper, nor says that one exists. Every error is one
line of JSON: {"error": "..."}.

Each request runs in a thread of the server's pool. The ask path is Python for most of its
time, so threads of one process take turns on the GIL; `workers` > 1 runs that many server
processes (each with its own index and encoder), which is what uses a second core.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException

from . import config, layout
from .access import unlocks, visible
from .cite import answer_json, hit_json
from .errors import RagError
from .types import Filters

log = logging.getLogger(__name__)
MAX_QUESTION = 1000  # characters in a question or a passage sent to /precedents
MAX_K = 50  # passages or papers in one response
MAX_BODY = 16 * 1024  # bytes in a request body


class AskRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)  # "  " is an empty question
    question: str = Field(min_length=1, max_length=MAX_QUESTION,
                          examples=["What did Ofsted recommend in 2011?"])
    k: int = Field(5, ge=1, le=MAX_K, description="Passages to return.")
    since: date | None = Field(None, description="Only papers from this date.")
    until: date | None = Field(None, description="Only papers up to this date.")
    committee: list[str] = Field([], max_length=20, description="Only these committees.")
    doc_type: list[str] = Field([], max_length=10, description="Only these document types.")


class PrecedentsRequest(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)
    text: str = Field(min_length=1, max_length=MAX_QUESTION,
                      description="A question or a passage naming the matter.")
    limit: int = Field(10, ge=1, le=MAX_K, description="Papers to return.")


BEARER = HTTPBearer(auto_error=False, description="A member key unlocks restricted papers.")


def member(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)]) -> bool:
    """No token: a public request; a token that is not the member key: refused."""
    if credentials is None:
        return False
    if not unlocks(credentials.credentials):
        raise HTTPException(401, "that member key is not recognised")
    return True


Member = Annotated[bool, Depends(member)]


class Session:
    """The index and encoder the server answers from; a newer build is picked up per request."""

    def __init__(self, index_dir: Path, encoder=None):
        self.index_dir, self.encoder, self.index = index_dir, encoder, None
        self.lock = threading.Lock()

    def current(self):
        from .backend import open_index

        with self.lock:
            if self.encoder is None:
                from .embedding import load_encoder

                self.encoder = load_encoder()
            build = layout.current_build(self.index_dir)
            if self.index is None or self.index.build != build:
                self.index = open_index(self.index_dir, self.encoder)
            return self.index, self.encoder


def create_app(index_dir: Path, encoder=None) -> FastAPI:
    """The API over the index at `index_dir`; `encoder` defaults to the index's model."""
    session = Session(index_dir, encoder)
    app = FastAPI(title="Committee papers", version="1",
                  description="Cited passages from committee papers, as `rag ask --json`.")
    add_answer_routes(app, session)
    add_paper_routes(app, session)
    add_limits_and_errors(app)
    return app


def app_from_config() -> FastAPI:
    """The app over $RAG_INDEX: what each worker process of `serve(workers=N)` builds."""
    return create_app(config.index_dir())


def serve(index_dir: Path, host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Run the API with uvicorn until stopped. Answers are JSON already (rag/cite.py), so the
    routes return them as they are, without FastAPI's per-field re-encoding."""
    import os

    import uvicorn

    options = {"host": host, "port": port, "log_level": "info"}
    if workers <= 1:
        uvicorn.run(create_app(index_dir), **options)
        return
    os.environ["RAG_INDEX"] = str(index_dir.resolve())  # read by each worker's app_from_config
    uvicorn.run("rag.serve:app_from_config", factory=True, workers=workers, **options)


def add_answer_routes(app: FastAPI, session: Session) -> None:
    """/ask and /precedents: the JSON of `rag ask --json` and `rag precedents --json`."""

    @app.post("/ask")
    def ask(request: AskRequest, unlocked: Member) -> JSONResponse:
        from .ask import search

        index, encoder = session.current()
        filters = Filters(request.since, request.until, tuple(request.committee),
                          tuple(request.doc_type))
        return JSONResponse(answer_json(search(index, encoder, request.question, k=request.k,
                                               filters=filters, unlocked=unlocked)))

    @app.post("/precedents")
    def precedents(request: PrecedentsRequest, unlocked: Member) -> JSONResponse:
        from .ask import precedents as find

        index, encoder = session.current()
        hits = find(index, encoder, request.text, limit=request.limit,
                    unlocked=unlocked)
        return JSONResponse({"text": request.text, "papers": [
            hit_json(h, i) for i, h in enumerate(hits, start=1)]})


def add_paper_routes(app: FastAPI, session: Session) -> None:
    """/health, /papers and /papers/{id}: what the session may see."""

    @app.get("/health")
    def health() -> dict:
        index, _ = session.current()
        return {"status": "ok", "build": index.build.name,
                "papers": len(index.visible_docs(False))}

    @app.get("/papers")
    def papers(unlocked: Member) -> dict:
        from .terminal import library

        return library(session.current()[0], unlocked)

    @app.get("/papers/{doc_id}")
    def paper(doc_id: str, unlocked: Member) -> dict:
        index, _ = session.current()
        doc = index.docs.get(doc_id)
        if doc is None or not visible(doc, unlocked):  # hidden reads as missing
            raise HTTPException(404, f"no paper {doc_id!r}")
        row = next(p for p in index.papers(unlocked) if p["doc_id"] == doc_id)
        return {**row, "date": doc.date.isoformat() if doc.date else None,
                "text": index.document_text(doc_id)}


def add_limits_and_errors(app: FastAPI) -> None:
    """A body size limit, and every error as one line of JSON."""

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > MAX_BODY):
            return error(413, f"the request body is over {MAX_BODY // 1024} KiB")
        if request.method == "POST" and len(await request.body()) > MAX_BODY:
            return error(413, f"the request body is over {MAX_BODY // 1024} KiB")
        return await call_next(request)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException):
        return error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return error(422, f"{where}: {first.get('msg', 'invalid')}" if where else
                     first.get("msg", "invalid request"))

    @app.exception_handler(RagError)
    async def rag_error(request: Request, exc: RagError):
        return error(503, str(exc))

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception):
        log.exception("the API failed")
        return error(500, "something went wrong; the operator can see the details in the log")


def error(status: int, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": message.splitlines()[0] if message else "error"},
                        status_code=status, headers=headers)
