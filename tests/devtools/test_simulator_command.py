"""`manage.py st_simulator` starts a simulator that answers, prints how to use it, and stops on SIGTERM."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_serves_until_sigterm():
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "st_simulator",
            "--port",
            "0",
            "--scale",
            "0.01",
            "--error-rate",
            "0.5",
            "--count",
            "pricebook.materials=7",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "DJANGO_DEBUG": "true"},
    )
    try:
        banner = ""
        for line in process.stdout:
            banner += line
            if line.startswith("Controls:"):
                break
        match = re.search(r"on (http://127\.0\.0\.1:\d+)", banner)
        assert match, banner
        url = match.group(1)
        assert "demo-client" in banner and "demo-secret" in banner and "demo-app-key" in banner
        assert f"SERVICE_TITAN_API_URL={url}" in banner
        health = requests.get(f"{url}/_simulator/health", timeout=5)
        assert health.json()["status"] == "ok"
        assert requests.get(f"{url}/_simulator/faults", timeout=5).json()["error_rate"] == 0.5
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert "Simulator stopped." in output


def test_bad_counts_are_refused():
    with pytest.raises(CommandError, match="RESOURCE=N"):
        call_command("st_simulator", "--port", "0", "--count", "pricebook.materials")
    with pytest.raises(CommandError, match="unknown resource"):
        call_command("st_simulator", "--port", "0", "--count", "pricebook.nothing=3")


def test_tenant_id_makes_the_simulator_answer_for_that_tenant_only():
    from devtools.benchmarks.harness import RemoteSimulator

    simulator = RemoteSimulator(0.01, tenant_id=4242)  # `st_simulator --tenant-id 4242` in a process of its own
    try:
        assert simulator._call("GET", "health")["tenant"] == 4242
        assert simulator.environment()["TENANT_ID"] == "4242"
        token = requests.post(
            f"{simulator.url}/connect/token",
            data={"grant_type": "client_credentials", "client_id": "demo-client", "client_secret": "demo-secret"},
            timeout=5,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "ST-App-Key": "demo-app-key"}
        path = "/pricebook/v2/tenant/{}/materials"
        assert requests.get(simulator.url + path.format(4242), headers=headers, timeout=5).status_code == 200
        assert requests.get(simulator.url + path.format(4243), headers=headers, timeout=5).status_code != 200
    finally:
        simulator.stop()
