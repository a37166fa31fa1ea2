"""Runs the five processes locally: used by `make run` and by the cross-service tests."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from guanxi_shared.suite import APPS, DEFAULT_PORTS, SUBSCRIPTIONS


@dataclass
class Suite:
    data_dir: Path
    secret: str
    admin_api_key: str
    ports: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    database_urls: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def env_for(self, name: str) -> dict[str, str]:
        prefix = f"GUANXI_{name.upper()}_"
        env = {**os.environ, "GUANXI_INTERNAL_SECRET": self.secret,
               "GUANXI_ADMIN_API_KEY": self.admin_api_key,
               prefix + "DATABASE_URL": self.database_urls.get(
                   name, f"sqlite:///{self.data_dir / f'{name}.db'}"),
               prefix + "SUBSCRIBERS": ",".join(f"{s}={self.url(s)}"
                                                for s in SUBSCRIPTIONS[name])}
        for peer in APPS:
            env[f"{prefix}{peer.upper()}_URL"] = self.url(peer)
        env.update(self.extra_env)
        return env

    def start(self, name: str) -> None:
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        out = open(logs / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "--factory", APPS[name], "--host", "127.0.0.1",
             "--port", str(self.ports[name]), "--no-access-log", "--log-level", "warning"],
            env=self.env_for(name), stdout=out, stderr=subprocess.STDOUT)

    def wait_ready(self, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            proc = self.processes.get(name)
            if proc is not None and proc.poll() is not None:
                log = (self.data_dir / "logs" / f"{name}.log").read_text(errors="replace")
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log[-3000:]}")
            try:
                if httpx.get(f"{self.url(name)}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{name} was not ready within {timeout}s")

    def start_all(self) -> None:
        """Start every process; if one fails to become ready, stop them all and re-raise."""
        try:
            for name in APPS:
                self.start(name)
            for name in APPS:
                self.wait_ready(name)
        except BaseException:
            self.stop_all()
            raise

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.processes.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
