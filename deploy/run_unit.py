#!/usr/bin/env python3
"""Run a systemd unit's commands, or another command, the way the unit runs them, without systemd.

    python3 deploy/run_unit.py UNIT [--env-file FILE]                  # its ExecStart (then ExecStartPost)
    python3 deploy/run_unit.py UNIT [--env-file FILE] -- COMMAND ...    # COMMAND in the unit's environment

The environment is this process's, then the unit's Environment= lines, then its EnvironmentFile= (or FILE
in its place: deploy/smoke.sh's own env file), as systemd orders them; the working directory is the unit's
WorkingDirectory=. A service's single ExecStart replaces this process (its pid is the server's); a oneshot's
ExecStart and ExecStartPost lines run in turn, stopping at the first that fails. deploy/smoke.sh runs the
units' own commands with it, and deploy/manage the platform's `flask` commands in the services' environment.

What systemd adds around the command (the user, the sandbox: ProtectSystem, PrivateTmp...) is not
reproduced; `systemd-analyze verify` checks those lines. Standard library only.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

COMMAND_KEYS = ("ExecStart", "ExecStartPost")
SPECIFIER = re.compile(r"%(.)")
VARIABLE = re.compile(r"\$(\$|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)")


class UnitError(ValueError):
    pass


def read_unit(path: str | Path) -> list[tuple[str, str, str]]:
    """(section, key, value) for each setting, in order; continuation lines joined."""
    settings, section, pending = [], "", ""
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, equals, value = line.partition("=")
        if not equals:
            raise UnitError(f"{path}: not a setting: {line!r}")
        settings.append((section, key.strip(), value.strip()))
    return settings


def read_environment_file(path: str | Path) -> dict[str, str]:
    """systemd's EnvironmentFile= format: NAME=VALUE lines, # comments, a value may be quoted."""
    values = {}
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        name, equals, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise UnitError(f"{path}, line {number}: not NAME=VALUE")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def _specifiers(value: str, where: str) -> str:
    """%% is a percent sign; the units use no other specifier (refused rather than run wrong)."""
    def replace(match: re.Match) -> str:
        if match.group(1) != "%":
            raise UnitError(f"{where}: specifier %{match.group(1)} is not supported here")
        return "%"
    return SPECIFIER.sub(replace, value)


def _command(value: str, where: str) -> list[str]:
    """An Exec line as systemd splits it: its quoting, %% and $$ (a variable reference is refused)."""
    if value[:1] in "-@:+!":
        raise UnitError(f"{where}: command prefixes are not supported here")
    words = []
    for word in shlex.split(_specifiers(value, where)):
        def replace(match: re.Match) -> str:
            if match.group(1) != "$":
                raise UnitError(f"{where}: variable {match.group(0)} is not supported here")
            return "$"
        words.append(VARIABLE.sub(replace, word))
    return words


def environment_of(settings, env_file: str | None) -> dict[str, str]:
    env = dict(os.environ)
    files = []
    for section, key, value in settings:
        if section != "Service":
            continue
        if key == "Environment":
            for assignment in shlex.split(_specifiers(value, "Environment=")):
                name, _, assigned = assignment.partition("=")
                env[name] = assigned
        elif key == "EnvironmentFile":
            files.append(value)
    # Environment files are read after every Environment= line, whatever their order: their settings win.
    for value in ([env_file] if env_file else files):
        optional = value.startswith("-")
        path = value.lstrip("-")
        if optional and not Path(path).exists():
            continue
        env.update(read_environment_file(path))
    return env


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    unit, rest = argv[0], argv[1:]
    env_file = None
    if rest[:1] == ["--env-file"] and len(rest) >= 2:
        env_file, rest = rest[1], rest[2:]
    command = None
    if rest[:1] == ["--"] and len(rest) >= 2:
        command = rest[1:]
    elif rest:
        print(f"run_unit.py: unexpected arguments {rest}", file=sys.stderr)
        return 2
    settings = read_unit(unit)
    service = {key: value for section, key, value in settings if section == "Service"}
    env = environment_of(settings, env_file)
    cwd = service.get("WorkingDirectory")
    if cwd:
        os.chdir(cwd)
    if command is not None:
        os.execvpe(command[0], command, env)
    lines = [(key, _command(value, f"{unit}: {key}")) for section, key, value in settings
             if section == "Service" and key in COMMAND_KEYS]
    if not lines:
        raise UnitError(f"{unit}: no ExecStart")
    if service.get("Type", "simple") != "oneshot":
        if len(lines) != 1:
            raise UnitError(f"{unit}: a {service.get('Type', 'simple')} service has one ExecStart")
        words = lines[0][1]
        os.execve(words[0], words, env)  # systemd wants an absolute path (systemd-analyze verify checks it)
    for key, words in lines:
        status = subprocess.run(words, env=env).returncode
        if status != 0:
            print(f"run_unit.py: {key} of {unit} exited with status {status}", file=sys.stderr)
            return status
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except UnitError as error:
        print(f"run_unit.py: {error}", file=sys.stderr)
        sys.exit(2)
