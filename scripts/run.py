"""`make run`: the whole suite on this machine, SQLite files under ./data, demo data on first start."""
from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from demo_data import load_demo_data  # noqa: E402

from guanxi_shared.suite import APPS  # noqa: E402
from guanxi_testing.runner import Suite  # noqa: E402

DATA = ROOT / "data"
SECRETS = DATA / "secrets.env"


def local_secrets() -> dict[str, str]:
    """Secrets come from the environment; on a laptop, generate them once into data/."""
    stored: dict[str, str] = {}
    if SECRETS.exists():
        stored = dict(line.split("=", 1) for line in SECRETS.read_text().split() if "=" in line)
    wanted = {"GUANXI_INTERNAL_SECRET": lambda: secrets.token_hex(32),
              "GUANXI_ADMIN_API_KEY": lambda: "gx_admin_" + secrets.token_urlsafe(24),
              "GUANXI_ADMIN_PASSWORD": lambda: secrets.token_urlsafe(12)}
    values = {k: os.environ.get(k) or stored.get(k) or make() for k, make in wanted.items()}
    DATA.mkdir(exist_ok=True)
    SECRETS.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    SECRETS.chmod(0o600)
    return values


def main() -> None:
    values = local_secrets()
    suite = Suite(data_dir=DATA, secret=values["GUANXI_INTERNAL_SECRET"],
                  admin_api_key=values["GUANXI_ADMIN_API_KEY"],
                  extra_env={"GUANXI_ADMIN_PASSWORD": values["GUANXI_ADMIN_PASSWORD"]})
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print("Starting Guanxi (logs in data/logs/) ...", flush=True)
        suite.start_all()
        marker = DATA / ".demo-loaded"
        if not marker.exists():
            print("Loading demo data (first start only) ...", flush=True)
            load_demo_data(suite.url("gateway"), values["GUANXI_ADMIN_API_KEY"],
                           users_password=values["GUANXI_ADMIN_PASSWORD"])
            marker.touch()
        print(f"""
Guanxi is running.
  Web console:    {suite.url('gateway')}/console/
  API and docs:   {suite.url('gateway')}/docs
  Admin API key:  {values['GUANXI_ADMIN_API_KEY']}
                  (send as 'Authorization: Bearer <key>'; kept in data/secrets.env)
  Admin login:    user 'admin', password {values['GUANXI_ADMIN_PASSWORD']}
  Demo logins:    reps li, wang, zhang, chen; managers zhao, sun (same password as admin)
  Services:       """ + ", ".join(f"{n} {suite.url(n)}" for n in APPS if n != "gateway") + """
Press Ctrl-C to stop.""", flush=True)
        while all(p.poll() is None for p in suite.processes.values()):
            time.sleep(0.5)
        print("A service stopped unexpectedly; see data/logs/. Stopping the rest.")
    except KeyboardInterrupt:
        print("\nStopping ...")
    finally:
        suite.stop_all()


if __name__ == "__main__":
    main()
