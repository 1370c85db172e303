"""The per-client rate limit's bucket (frontends/web/security.py) on an injected clock: no waiting."""
from __future__ import annotations

from kbqa.frontends.web.security import RateLimiter, host_allowed


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_the_rate():
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == 1.0  # one token a second
    assert limiter.take("b") == 0.0  # another client has its own bucket
    clock.now += 1.0
    assert limiter.take("a") == 0.0 and limiter.take("a") > 0
    clock.now += 3600
    assert [limiter.take("a") for _ in range(4)][:3] == [0.0, 0.0, 0.0]  # refilled to the burst, not beyond


def test_off_and_bounded():
    assert RateLimiter(0, 1).take("a") == 0.0 and not RateLimiter(0, 1).enabled
    limiter = RateLimiter(60, 1, clock=Clock(), max_clients=10)
    for i in range(100):
        limiter.take(f"c{i}")
    assert len(limiter._buckets) == 10


def test_host_patterns():
    allowed = ("localhost", "127.0.0.1", "*.bank.internal")
    for host in ("localhost:7860", "127.0.0.1", "kbqa.bank.internal", "a.b.bank.internal:443"):
        assert host_allowed(host, allowed), host
    for host in ("evil.example", "bank.internal.evil.example", "127.0.0.2", ""):
        assert not host_allowed(host, allowed), host
    assert host_allowed("anything", ("*",))
