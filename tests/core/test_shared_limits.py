"""CACHE_URL: the rate limits count in the cache, so with Redis two web processes share
one count (a visitor cannot double his allowance by landing on the other worker), and a
bad CACHE_URL stops the start with the accepted forms named."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from panorama.channels.chat.services import ChatThrottled, chat_throttle
from panorama.config.settings.base import cache_from_url

REDIS = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_cache_url_forms_and_a_clear_error_for_others():
    assert cache_from_url("redis://10.0.0.5:6379/1")["LOCATION"] == "redis://10.0.0.5:6379/1"
    assert "RedisCache" in cache_from_url("rediss://cache.example:6380/0")["BACKEND"]
    assert "LocMemCache" in cache_from_url("locmem://")["BACKEND"]
    with pytest.raises(ImproperlyConfigured, match="redis://host:port/db"):
        cache_from_url("memcached://127.0.0.1:11211")


@pytest.mark.skipif(not _redis_answers(), reason="Redis is not answering on 127.0.0.1:6379")
@override_settings(
    CACHES={"default": cache_from_url(REDIS)},
    PANORAMA_CHAT_PER_MINUTE=5,
)
def test_two_processes_share_one_chat_limit_through_redis():
    address = f"203.0.113.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:8]}"
    if time.time() % 60 > 50:  # the count is per minute: not across its boundary
        time.sleep(61 - time.time() % 60)
    other_process = (
        "import django; django.setup();"
        "from panorama.channels.chat.services import chat_throttle;"
        f"[chat_throttle(site_id=1, address={address!r}) for _ in range(3)]"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "panorama.config.settings.test",
        "CACHE_URL": REDIS,
        "PANORAMA_CHAT_PER_MINUTE": "5",
    }
    subprocess.run(  # noqa: S603 (our own code, in a second process)
        [sys.executable, "-c", other_process], env=env, check=True, timeout=120
    )
    chat_throttle(site_id=1, address=address)  # 4
    chat_throttle(site_id=1, address=address)  # 5: the limit
    with pytest.raises(ChatThrottled):
        chat_throttle(site_id=1, address=address)  # the 6th, counting the other process's
