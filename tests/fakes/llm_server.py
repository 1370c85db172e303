"""A local server speaking the OpenAI chat-completions protocol, with scripted replies, for tests.

    with FakeLLM() as llm:                      # http://127.0.0.1:<port>/v1
        llm.script(Reply("答案[1]。"))           # next request gets this; later ones get llm.default
        settings = Settings(..., llm_base_url=llm.base_url, llm_model="test")
        ...
        [req] = llm.requests                     # what the client sent: path, headers, body (JSON)

``POST /v1/chat/completions`` answers with a chat completion, or, when the body says ``"stream": true``,
with server-sent events (``data: {chunk}`` lines, then ``data: [DONE]``). A ``Reply`` can be slow
(``delay`` before the first byte, ``chunk_delay`` between chunks) or stall until an event is set
(``stall``), fail (``status``: 500...) or be
garbage (``raw``: sent as is, with ``content_type``). ``responder`` may pick replies from the request.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    delay: float = 0.0  # seconds before anything is sent
    chunk_delay: float = 0.0  # seconds between streamed chunks
    chunk_chars: int = 3  # characters per streamed chunk
    raw: str | None = None  # sent instead of a completion (garbage tests)
    content_type: str = "application/json"
    # held until this event is set: before anything (plain) or after the first chunk (streamed); the reply is
    # sent only after the client has had to give up, so a test waits on an event instead of timing a delay
    stall: threading.Event | None = None


STALL_LIMIT_S = 300  # a stalled reply is released after this anyway (a test that forgot to set its event)


@dataclass
class Request:
    path: str
    headers: dict
    body: dict | None
    raw: bytes = field(repr=False, default=b"")

    @property
    def messages(self) -> list[dict]:
        return (self.body or {}).get("messages") or []

    @property
    def text(self) -> str:
        """All message contents joined (for assertions on the prompt)."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


class FakeLLM:
    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply("根据资料，这是答案[1]。")
        self.requests: list[Request] = []
        self.responder: Callable[[Request], Reply | None] | None = None
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- control ----
    def script(self, *replies: Reply) -> "FakeLLM":
        with self._lock:
            self._script.extend(replies)
        return self

    def reset(self) -> None:
        with self._lock:
            self._script.clear()
            self.requests.clear()
        self.responder = None

    def _next(self, req: Request) -> Reply:
        if self.responder is not None:
            r = self.responder(req)
            if r is not None:
                return r
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> "FakeLLM":
        self._server = _make_server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeLLM":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def completion(content: str, model: str = "test") -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}}


def chunk(delta: dict, finish: str | None = None, model: str = "test") -> dict:
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def _make_server(llm: FakeLLM) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = None
            req = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, body, raw)
            with llm._lock:
                llm.requests.append(req)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                return self._send(404, b'{"error": {"message": "not found"}}', "application/json")
            reply = llm._next(req)
            if reply.delay:
                time.sleep(reply.delay)
            if reply.stall is not None and not (body or {}).get("stream"):
                reply.stall.wait(STALL_LIMIT_S)
            if reply.status >= 400:
                err = {"error": {"message": "scripted failure", "type": "server_error"}}
                return self._send(reply.status, json.dumps(err).encode(), "application/json")
            if reply.raw is not None:
                return self._send(200, reply.raw.encode("utf-8"), reply.content_type)
            if not (body or {}).get("stream"):
                return self._send(200, json.dumps(completion(reply.content), ensure_ascii=False).encode("utf-8"),
                                  "application/json")
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            events = [chunk({"role": "assistant", "content": ""})]
            text, n = reply.content, max(1, reply.chunk_chars)
            events += [chunk({"content": text[i:i + n]}) for i in range(0, len(text), n)]
            events.append(chunk({}, finish="stop"))
            for i, ev in enumerate(events):
                self.wfile.write(f"data: {json.dumps(ev, ensure_ascii=False)}\n\n".encode("utf-8"))
                self.wfile.flush()
                if i == 1 and reply.stall is not None:
                    reply.stall.wait(STALL_LIMIT_S)
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

        def handle_error(self, request, client_address):  # a client that timed out and left: not an error
            pass

    return Server(("127.0.0.1", 0), Handler)
