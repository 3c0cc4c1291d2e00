"""The `shian` command's serving: the gunicorn invocation, the processes beside the web server, and
that they are started and stopped together. Servers here run on loopback against a temporary SQLite."""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pytest

from shian import cli


# --- the gunicorn invocation and the defaults ------------------------------------------------------
def test_gunicorn_argv_runs_the_wsgi_app_with_gthread_workers():
    argv = cli.gunicorn_argv("127.0.0.1", 8123, workers=3, threads=5)
    assert argv[:4] == [sys.executable, "-m", "gunicorn", "shian.wsgi:application"]
    options = dict(zip(argv[4::2], argv[5::2], strict=False))
    assert options["--bind"] == "127.0.0.1:8123"
    assert options["--worker-class"] == "gthread"
    assert options["--workers"] == "3"
    assert options["--threads"] == "5"
    assert int(options["--graceful-timeout"]) < cli.STOP_TIMEOUT_S  # gunicorn drains before we SIGKILL
    assert "--no-control-socket" in argv


def test_gunicorn_binds_ipv6_in_brackets():
    assert "[::1]:8000" in cli.gunicorn_argv("::1", 8000, workers=1, threads=1)


def test_web_workers_from_option_then_environment_then_cores(monkeypatch):
    monkeypatch.delenv("SHIAN_WEB_WORKERS", raising=False)
    monkeypatch.delenv("SHIAN_WEB_THREADS", raising=False)
    assert cli.web_workers(cores=2) == 3  # one per core plus one (measured best on 2 cores)
    assert cli.web_workers(cores=8) == 9
    assert cli.web_threads() == 2
    monkeypatch.setenv("SHIAN_WEB_WORKERS", "5")
    monkeypatch.setenv("SHIAN_WEB_THREADS", "4")
    assert cli.web_workers(cores=2) == 5
    assert cli.web_threads() == 4
    assert cli.web_workers(7, cores=2) == 7
    assert cli.web_threads(6) == 6


def test_background_worker_and_scheduler_when_it_exists(monkeypatch):
    from django.core import management

    commands = dict(management.get_commands())
    commands.pop("scheduler", None)
    monkeypatch.setattr(management, "get_commands", lambda: commands)
    assert cli.background_processes() == [("worker", cli.worker_argv())]
    assert cli.background_processes(worker=False) == []
    assert cli.worker_argv()[3:] == ["db_worker", "--queue-name", "*", "--no-reload"]

    monkeypatch.setattr(management, "get_commands", lambda: commands | {"scheduler": "shian.core"})
    assert [name for name, _argv in cli.background_processes()] == ["worker", "scheduler"]
    assert cli.background_processes(worker=False) == [("scheduler", cli.shian_argv("scheduler"))]


def test_serve_runs_the_dev_server_with_the_worker_beside_it(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(cli.ProcessGroup, "run", lambda self: started.append(self.commands) or 0)
    assert cli._serve("127.0.0.1", 8123) == 0
    names = [name for name, _argv in started[0]]
    assert names[:2] == ["web", "worker"]
    assert started[0][0][1] == cli.shian_argv("runserver", "127.0.0.1:8123", "--noreload")
    assert "development server: Django runserver" in capsys.readouterr().out

    cli._serve("127.0.0.1", 8123, worker=False)
    assert "worker" not in [name for name, _argv in started[1]]
    assert "No background worker" in capsys.readouterr().out


def test_production_outside_the_production_profile_is_loopback_only():
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIAN_")}
    result = subprocess.run(
        [sys.executable, "-m", "shian", "serve", "--production", "--host", "0.0.0.0"],  # noqa: S104
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SHIAN_PROFILE=production" in result.stderr


# --- children started and stopped together --------------------------------------------------------
SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


def test_process_group_stops_every_child_when_asked():
    group = cli.ProcessGroup([("a", SLEEPER), ("b", SLEEPER)])
    group.start()
    assert all(p.poll() is None for p in group.children.values())
    group.request_stop()
    started = time.monotonic()
    assert group.wait() == 0
    assert time.monotonic() - started < 5
    assert all(p.returncode == -signal.SIGTERM for p in group.children.values())


def test_process_group_stops_the_others_when_one_exits():
    group = cli.ProcessGroup([("web", [sys.executable, "-c", "raise SystemExit(3)"]), ("worker", SLEEPER)])
    group.start()
    assert group.wait(poll_s=0.05) == 3
    assert group.children["worker"].returncode == -signal.SIGTERM


def test_process_group_kills_a_child_that_ignores_sigterm():
    stubborn = [
        sys.executable,
        "-c",
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); "
        "time.sleep(60)",
    ]
    group = cli.ProcessGroup([("stubborn", stubborn)], output=subprocess.PIPE)
    group.start()
    assert group.children["stubborn"].stdout.readline() == b"ready\n"
    group.stop(timeout_s=0.5)
    assert group.children["stubborn"].returncode == -signal.SIGKILL
    group.children["stubborn"].stdout.close()


@pytest.fixture(scope="module")
def migrated_env(tmp_path_factory):
    """A migrated SQLite database of its own, and an environment pointing at it."""
    data_dir = tmp_path_factory.mktemp("serve")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIAN_")} | {"SHIAN_DATA_DIR": str(data_dir)}
    subprocess.run(cli.shian_argv("migrate", "-v", "0"), env=env, check=True, timeout=120)
    return env


def test_the_task_worker_child_starts_and_stops_cleanly(migrated_env, tmp_path):
    log = (tmp_path / "worker.log").open("w+b")
    group = cli.ProcessGroup([("worker", cli.worker_argv("--no-startup-delay"))], env=migrated_env, output=log)
    group.start()
    worker = group.children["worker"]
    deadline = time.monotonic() + 30
    while b"Starting worker" not in (tmp_path / "worker.log").read_bytes():
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        assert time.monotonic() < deadline, "the worker did not start"
        time.sleep(0.1)
    time.sleep(0.5)  # polling the (migrated) task table
    group.stop()
    log.close()
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()  # a graceful stop, not a kill
    assert "shutting down gracefully" in (tmp_path / "worker.log").read_text()


def _free_port() -> int:
    for port in range(8190, 8200):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def test_serve_production_runs_gunicorn_with_whitenoise(migrated_env, tmp_path):
    """`shian serve --production` end to end: collectstatic, gunicorn, hashed and compressed static
    files, DEBUG off; SIGTERM stops it and its children."""
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            cli.shian_argv("serve", "--production", "--port", str(port), "--workers", "1", "--threads", "2"),
            env=migrated_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                assert server.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, log_path.read_text()
                try:
                    status, headers, page = _get(port, "/login/")
                    break
                except OSError:
                    time.sleep(0.2)
            assert status == 200
            assert headers["server"].startswith("gunicorn")
            css = re.search(rb'href="(/static/shian/shian\.[0-9a-f]{12}\.css)"', page)
            assert css, page[:500]  # the manifest's hashed name
            status, headers, _body = _get(port, css.group(1).decode(), **{"Accept-Encoding": "gzip"})
            assert status == 200
            assert headers["content-encoding"] == "gzip"
            assert "immutable" in headers["cache-control"]
            status, _headers, body = _get(port, "/no-such-page/")
            assert status == 404
            assert b"Traceback" not in body and b"DEBUG = True" not in body  # DEBUG is off
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    out = log_path.read_text()
    assert "production server: gunicorn, 1 workers x 2 threads" in out
    assert "Shutting down: Master" in out
    with pytest.raises(OSError):
        _get(port, "/login/")  # nothing listens any more
