"""The token through a real Redis cache: separate OS processes (spawned) renew it once and all use that one."""

import multiprocessing
import os
import threading
import time
import uuid

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from servicetitan.client.auth import TokenProvider
from tests.servicetitan.client_support import client_redis_url

pytestmark = pytest.mark.redis


def get_token_in_process(url, namespace, threads, start_at):
    """One OS process of a deployment: `threads` threads each ask their own provider for the token at once."""
    store = RedisCache(url, {})
    counter = redis.Redis.from_url(url)

    def slow_fetch():
        counter.incr(f"{namespace}:fetches")
        time.sleep(0.2)  # the token endpoint takes a while: everyone else asks meanwhile
        return f"token-of-{os.getpid()}", 3600

    tokens = []
    time.sleep(max(0.0, start_at - time.time()))
    pool = [
        threading.Thread(
            target=lambda: tokens.append(
                TokenProvider(slow_fetch, namespace=namespace, cache=store, poll_interval=0.01).get()
            )
        )
        for _ in range(threads)
    ]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return tokens


def test_two_processes_renew_the_token_once_and_share_it(redis_url):
    url = client_redis_url(redis_url)
    namespace = f"test-{uuid.uuid4().hex}"
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 0.5  # time for both interpreters to start
    try:
        with context.Pool(2) as pool:
            results = [pool.apply_async(get_token_in_process, (url, namespace, 4, start_at)) for _ in range(2)]
            tokens = [token for result in results for token in result.get(timeout=30)]

        assert len(tokens) == 8
        assert len(set(tokens)) == 1
        assert int(redis.Redis.from_url(url).get(f"{namespace}:fetches")) == 1
    finally:
        store = RedisCache(url, {})
        provider = TokenProvider(lambda: ("", 0), namespace=namespace, cache=store)
        store.delete_many([provider.cache_key, provider.lock_key])
        redis.Redis.from_url(url).delete(f"{namespace}:fetches")
