"""Settings read from the environment for a deployment: `check --deploy` clean with DJANGO_SECURE=true, the stale
push timeout, the broker's visibility timeout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-deployment-key-" + "k7Qx9LmZ2pR4tV8wY1bN3cF6hJ0sD5gA" * 2,
    "DJANGO_ALLOWED_HOSTS": "lazi.example.com",
}


def run(args: list[str], **env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_SECURE", "PRICEBOOK_", "CELERY_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **DEPLOY, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_django_secure():
    done = run(["check", "--deploy", "--fail-level", "WARNING"], DJANGO_SECURE="true")
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_without_it():
    done = run(["check", "--deploy", "--fail-level", "WARNING"])
    assert done.returncode != 0
    assert "SECURE_HSTS_SECONDS" in done.stderr and "SESSION_COOKIE_SECURE" in done.stderr


def _setting(name: str, **env) -> str:
    done = run(["shell", "--no-imports", "-c", f"from django.conf import settings; print(settings.{name})"], **env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_the_stale_push_timeout_is_minutes_from_the_environment_default_a_few():
    assert float(_setting("PRICEBOOK_PUSH_STALE_AFTER")) == 300
    assert float(_setting("PRICEBOOK_PUSH_STALE_AFTER", PRICEBOOK_PUSH_STALE_AFTER="2")) == 120


def test_celery_acknowledges_late_with_a_visibility_timeout_of_an_hour():
    from django.conf import settings

    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == 3600


def test_pricebook_settings_come_from_the_environment():
    assert _setting("PRICEBOOK_PUSH_BATCH_SIZE") == "500"
    env = {
        "PRICEBOOK_PUSH_BATCH_SIZE": "50",
        "PRICEBOOK_IMAGE_CACHE_BYTES": "1000",
        "PRICEBOOK_IMAGE_CACHE_SECONDS": "60",
        "PRICEBOOK_HEALTH_TIER_TOLERANCE": "2.5",
    }
    shown = _setting(
        "PRICEBOOK_PUSH_BATCH_SIZE, settings.PRICEBOOK_IMAGE_CACHE_BYTES, settings.PRICEBOOK_IMAGE_CACHE_SECONDS, "
        "settings.PRICEBOOK_HEALTH_TIER_TOLERANCE",
        **env,
    )
    assert shown == "50 1000 60 2.5"


def test_every_setting_the_code_reads_is_declared_in_the_settings():
    import re

    from django.conf import settings

    read = set()
    for package in ("lazi", *settings.LAZI_APPS):
        for path in (ROOT / package).rglob("*.py"):
            read |= set(re.findall(r"getattr\(settings, \"([A-Z_]+)\"", path.read_text()))
    assert read, "the scan found no settings at all"
    assert sorted(name for name in read if not hasattr(settings, name)) == []
