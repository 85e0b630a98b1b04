"""A missing setting: the `flask` command and the server say what to set in one line, never a traceback;
the secret key `make run` (through `make secret`) keeps in instance/config.py is enough for the commands."""
import os
import runpy
import shutil
import subprocess
import sys

import click
import pytest

from network import PROJECT_ROOT, ConfigurationError, check_configuration


def _environment(instance):
    """No NETWORK_* setting (no NETWORK_ENV, no NETWORK_SECRET_KEY) but the instance folder."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("NETWORK_", "FLASK_"))}
    env["NETWORK_INSTANCE_PATH"] = str(instance)
    return env


def _flask(instance, *args):
    """`flask --app network ARGS` as the README writes it, run from the checkout."""
    return subprocess.run([sys.executable, "-m", "flask", "--app", "network", *args], cwd=PROJECT_ROOT,
                          env=_environment(instance), capture_output=True, text=True, timeout=60)


def _assert_one_clear_line(result, instance):
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: Peer Network: no SECRET_KEY is set.")
    assert str(instance / "config.py") in lines[0] and "NETWORK_SECRET_KEY" in lines[0]


# The list of commands (Flask prints the traceback of any error from the factory there) and an app's command.
@pytest.mark.parametrize("args", [("--help",), ("essays", "remind")], ids=["command list", "essays remind"])
def test_the_flask_command_without_a_secret_key_says_so_in_one_line(tmp_path, args):
    _assert_one_clear_line(_flask(tmp_path, *args), tmp_path)


def test_the_flask_command_works_with_the_key_in_instance_config(tmp_path):
    (tmp_path / "config.py").write_text("SECRET_KEY = 'written-by-make-secret'\n")
    result = _flask(tmp_path, "essays", "--help")
    assert result.returncode == 0, result.stderr
    assert "remind" in result.stdout


def test_the_error_is_one_line_for_click_and_a_runtime_error_for_gunicorn(tmp_path, monkeypatch):
    monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("NETWORK_SECRET_KEY", raising=False)
    monkeypatch.delenv("NETWORK_ENV", raising=False)
    with pytest.raises(ConfigurationError) as raised:
        check_configuration()
    assert isinstance(raised.value, click.ClickException) and isinstance(raised.value, RuntimeError)
    assert "\n" not in raised.value.format_message()
    # gunicorn.conf.py checks before any worker boots (gunicorn prints a RuntimeError as "Error: <message>").
    hooks = runpy.run_path(str(PROJECT_ROOT / "gunicorn.conf.py"))
    with pytest.raises(ConfigurationError):
        hooks["on_starting"](None)
    # gunicorn with another configuration file: each worker prints the message alone and gunicorn stops.
    from gunicorn.errors import AppImportError

    with pytest.raises(AppImportError, match="^Peer Network: no SECRET_KEY is set"):
        runpy.run_path(str(PROJECT_ROOT / "wsgi.py"))
    monkeypatch.setenv("NETWORK_SECRET_KEY", "from-the-environment")
    check_configuration()
    hooks["on_starting"](None)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_migrate_writes_one_secret_key_and_keeps_it(tmp_path):
    (tmp_path / "instance").mkdir()
    make = ["make", "--no-print-directory", "-f", str(PROJECT_ROOT / "Makefile"), "-C", str(tmp_path),
            "-o", "install", f"BIN={os.path.dirname(sys.executable)}"]
    # `make run` -> seed -> migrate -> secret, before the first flask command.
    planned = subprocess.run(make + ["-n", "migrate"], capture_output=True, text=True, check=True).stdout
    assert planned.index("secrets.token_hex") < planned.index("db upgrade")
    for _ in range(2):
        subprocess.run(make + ["secret"], capture_output=True, text=True, check=True)
    lines = (tmp_path / "instance" / "config.py").read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("SECRET_KEY = '")
    assert len(lines[0]) == len("SECRET_KEY = ''") + 64
