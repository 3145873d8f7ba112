"""The request budget shared through real Redis: by threads, and by separate OS processes (spawned)."""

import multiprocessing
import threading
import time
import uuid

import pytest
import redis

from servicetitan.client.ratelimit import RedisRateLimiter, Window
from tests.servicetitan.client_support import client_redis_url

pytestmark = pytest.mark.redis


@pytest.fixture
def budget(redis_url):
    """A Redis URL and a namespace of keys of this test only, deleted afterwards."""
    url = client_redis_url(redis_url)
    namespace = f"lazi:test:budget:{uuid.uuid4().hex}"
    yield url, namespace
    connection = redis.Redis.from_url(url)
    for key in connection.scan_iter(f"{namespace}*"):
        connection.delete(key)


def take_budget(url, namespace, windows, max_concurrency, threads, acquisitions, hold, start_at):
    """One OS process: `threads` threads each acquire `acquisitions` permits, holding each for `hold` seconds.

    Returns the grant times (Redis' clock). While holding, a Redis counter tracks how many requests are in flight
    across every process; the highest value seen is kept in `<namespace>:most`.
    """
    connection = redis.Redis.from_url(url)
    limiter = RedisRateLimiter(connection, namespace, windows, max_concurrency, lease=30)
    track = connection.register_script(
        "local n = redis.call('INCR', KEYS[1]) "
        "if n > tonumber(redis.call('GET', KEYS[2]) or '0') then redis.call('SET', KEYS[2], n) end return n"
    )
    granted = []
    lock = threading.Lock()

    def worker():
        for _ in range(acquisitions):
            with limiter.acquire() as permit:
                track(keys=[f"{namespace}:holding", f"{namespace}:most"])
                time.sleep(hold)
                connection.decr(f"{namespace}:holding")
            with lock:
                granted.append(permit.granted_at)

    time.sleep(max(0.0, start_at - time.time()))  # both processes start together
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return granted


def run_in_two_processes(*args):
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 0.5  # time for both interpreters to start
    with context.Pool(2) as pool:
        results = [pool.apply_async(take_budget, (*args, start_at)) for _ in range(2)]
        return [result.get(timeout=30) for result in results]


def test_two_processes_share_one_per_window_budget(budget):
    url, namespace = budget
    limit, window = 4, 0.2

    per_process = run_in_two_processes(url, namespace, [Window(limit, window)], 0, 2, 3, 0.0)

    assert [len(times) for times in per_process] == [6, 6]
    times = sorted(t for process_times in per_process for t in process_times)
    # Sliding window: any limit + 1 consecutive grants, whichever process got them, span at least the window.
    for earlier, later in zip(times, times[limit:], strict=False):
        assert later - earlier >= window - 0.001


def test_two_processes_share_the_concurrency_limit(budget):
    url, namespace = budget

    per_process = run_in_two_processes(url, namespace, [], 2, 3, 4, 0.02)

    assert [len(times) for times in per_process] == [12, 12]
    connection = redis.Redis.from_url(url)
    assert int(connection.get(f"{namespace}:most")) <= 2
    assert int(connection.get(f"{namespace}:holding")) == 0
    assert connection.zcard(f"{namespace}:slots") == 0  # every slot released


def test_a_slot_of_a_dead_holder_frees_when_its_lease_ends(budget):
    url, namespace = budget
    limiter = RedisRateLimiter(redis.Redis.from_url(url), namespace, [], 1, lease=0.2)

    limiter.acquire()  # never released: its process "died"
    started = time.monotonic()
    permit = limiter.acquire()

    assert permit.waited
    assert time.monotonic() - started >= 0.15
    permit.release()


def test_pause_after_a_429_holds_back_every_client(budget):
    url, namespace = budget
    connection = redis.Redis.from_url(url)
    first = RedisRateLimiter(connection, namespace, [Window(100, 1.0)], 0)
    second = RedisRateLimiter(connection, namespace, [Window(100, 1.0)], 0)

    first.pause(0.2)
    permit = second.acquire()

    assert permit.waited
    # The pause has run out: the key is gone (-2), or has under a millisecond left (0), which the script treats as over.
    assert connection.pttl(f"{namespace}:pause") <= 0


def test_windows_in_one_process_match_the_local_rules(budget):
    url, namespace = budget
    limiter = RedisRateLimiter(redis.Redis.from_url(url), namespace, [Window(3, 0.2)], 0)

    permits = [limiter.acquire() for _ in range(7)]

    assert [p.waited for p in permits[:4]] == [False, False, False, True]
    times = [p.granted_at for p in permits]
    for earlier, later in zip(times, times[3:], strict=False):
        assert later - earlier >= 0.2 - 0.001
