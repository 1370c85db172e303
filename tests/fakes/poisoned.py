"""A small FAQ whose every field carries markup that would load, run or link if it were rendered: HTML images
pointing at a local tracker, <svg onload>, <script>, markdown images, links and autolinks, reference
definitions. Used to show that corpus text reaches the page, the API and the CLI as text only.

    with Tracker() as tracker:                   # http://127.0.0.1:<port>/, records every request
        path = write_poisoned_faq(tmp_path, tracker.base)
        ...
        assert tracker.requests == []
"""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def poison(tag: str, base: str) -> str:
    """Markup that fetches ``base/track.png?<what>-<tag>`` if it is ever rendered as HTML or markdown."""
    t = f"{base}/track.png"
    return (f' <img src={t}?img-{tag}> <svg onload="alert(\'{tag}\')"><circle r=1 /></svg>'
            f' ![x]({t}?md-{tag}) [点我]({t}?link-{tag}) <{t}?auto-{tag}> <script>alert("{tag}")</script>'
            f' <a href="{t}?a-{tag}">a</a> <iframe src="{t}?frame-{tag}"></iframe>')


def poisoned_faq(base: str) -> dict:
    p = lambda tag: poison(tag, base)  # noqa: E731
    return {
        "title": "容器云难点" + p("faq-title"),
        "topics": [
            {"n": 1, "title": "容器网络方案怎么选型？" + p("title-1"), "description": "网络选型的背景。" + p("desc-1"),
             "answers": [
                 {"handle": "evil_one" + p("handle-1"), "org_title": "某银行 架构师" + p("org-1"),
                  "text": "容器网络可以选择 Calico 或 Flannel。" + p("answer-1") + "\n[ref]: " + base + "/track.png?refdef"},
                 {"handle": "second", "org_title": "某券商 工程师",
                  "text": "网络方案要先看规模和安全域。" + p("answer-1b")}]},
            {"n": 2, "title": "滚动更新怎么做？" + p("title-2"), "description": "",
             "answers": [{"handle": "third" + p("handle-2"), "org_title": "运维" + p("org-2"),
                          "text": "滚动更新用 Deployment 的 RollingUpdate 策略。" + p("answer-2")}]},
        ],
    }


def write_poisoned_faq(folder: Path, base: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "faq.json"
    path.write_text(json.dumps(poisoned_faq(base), ensure_ascii=False), encoding="utf-8")
    return path


class Tracker:
    """A loopback HTTP server that records the path of every request it gets (and answers a 1x1 PNG)."""

    PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a4a00000000049454e44ae426082")

    def __init__(self) -> None:
        self.requests: list[str] = []
        tracker = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self):
                tracker.requests.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(Tracker.PNG)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(Tracker.PNG)

            do_GET = do_POST = do_HEAD = _reply

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "Tracker":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
