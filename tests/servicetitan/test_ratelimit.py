"""The in-process request budget: sliding windows, disabled windows, concurrency slots, pauses after a 429."""

import threading
import time

import pytest

from servicetitan.client.ratelimit import (
    LocalRateLimiter,
    UnlimitedRateLimiter,
    Window,
    shared_rate_limiter,
    windows_from_rates,
)


class FakeTime:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_limiter(windows, max_concurrency=0):
    fake = FakeTime()
    return LocalRateLimiter(windows, max_concurrency, clock=fake.clock, sleep=fake.sleep), fake


def grant_times(limiter, count):
    times = []
    for _ in range(count):
        permit = limiter.acquire()
        times.append(permit.granted_at)
        permit.release()
    return times


def test_zero_disables_a_window():
    assert windows_from_rates(50, 0, 0) == [Window(50, 1.0)]
    assert windows_from_rates(0, 60, 3600) == [Window(60, 60.0), Window(3600, 3600.0)]
    assert windows_from_rates(0, 0, 0) == []
    assert isinstance(shared_rate_limiter("x", [], 0), UnlimitedRateLimiter)


def test_per_second_window_never_grants_more_than_its_limit_in_any_second():
    limiter, fake = make_limiter([Window(3, 1.0)])

    times = grant_times(limiter, 10)

    assert times[:3] == [0.0, 0.0, 0.0]
    for earlier, later in zip(times, times[3:], strict=False):
        assert later - earlier >= 1.0  # any four grants span at least a second
    assert fake.now == pytest.approx(3.0)


def test_every_window_applies_the_references_per_minute_and_per_hour_budget():
    limiter, _ = make_limiter(windows_from_rates(0, 60, 3600))

    times = grant_times(limiter, 121)

    assert times[59] == 0.0 and times[60] == pytest.approx(60.0) and times[120] == pytest.approx(120.0)


def test_the_slowest_window_decides_the_wait():
    limiter, _ = make_limiter([Window(2, 1.0), Window(3, 60.0)])

    times = grant_times(limiter, 4)

    assert times == [0.0, 0.0, pytest.approx(1.0), pytest.approx(60.0)]


def test_a_permit_tells_whether_it_waited():
    limiter, _ = make_limiter([Window(1, 1.0)])
    first, second = limiter.acquire(), limiter.acquire()
    assert (first.waited, second.waited) == (False, True)


def test_pause_holds_every_request_back():
    limiter, fake = make_limiter([Window(100, 1.0)])
    limiter.pause(5)
    assert limiter.acquire().granted_at == pytest.approx(5.0)
    assert fake.sleeps == [5.0]


def test_releasing_twice_frees_one_slot_only():
    limiter = LocalRateLimiter([], max_concurrency=2)
    first = limiter.acquire()
    second = limiter.acquire()
    first.release()
    first.release()
    with limiter.acquire():
        assert limiter._in_flight == 2
    second.release()
    assert limiter._in_flight == 0


def test_concurrency_limit_holds_across_threads():
    limiter = LocalRateLimiter([], max_concurrency=2)
    lock = threading.Lock()
    state = {"holding": 0, "most": 0, "waited": 0}

    def worker():
        for _ in range(3):
            with limiter.acquire() as permit:
                with lock:
                    state["holding"] += 1
                    state["most"] = max(state["most"], state["holding"])
                    state["waited"] += permit.waited
                time.sleep(0.01)
                with lock:
                    state["holding"] -= 1

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert state["most"] <= 2
    assert state["waited"] > 0
    assert limiter._in_flight == 0


def test_processes_without_redis_share_one_limiter_per_budget():
    windows = [Window(5, 1.0)]
    assert shared_rate_limiter("ns-a", windows, 3) is shared_rate_limiter("ns-a", windows, 3)
    assert shared_rate_limiter("ns-a", windows, 3) is not shared_rate_limiter("ns-b", windows, 3)
