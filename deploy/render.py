#!/usr/bin/env python3
"""Fill a deployment template's @NAME@ placeholders: nginx's configuration, the systemd units.

    python deploy/render.py TEMPLATE OUTPUT NAME=VALUE ...      (OUTPUT "-": standard output)

or, from Python (bench/load.py, deploy/smoke.sh): `render(template_path, {"LISTEN": "127.0.0.1:8080", ...})`.

Refuses, naming what is wrong, a placeholder without a value and a value that no placeholder takes (a
misspelt name would otherwise leave a default silently in place), and a value holding a line break (it
would add a directive). Standard library only: it runs before the platform is installed.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"@([A-Z][A-Z0-9_]*)@")


class RenderError(ValueError):
    """A template and its values do not match; the message names the placeholders."""


def placeholders(text: str) -> set[str]:
    """The NAMEs of the @NAME@ placeholders in a template's text."""
    return set(PLACEHOLDER.findall(text))


def render_text(text: str, values: dict[str, str], source: str = "the template") -> str:
    names = placeholders(text)
    missing = sorted(names - values.keys())
    unused = sorted(values.keys() - names)
    problems = []
    if missing:
        problems.append("no value for " + ", ".join(f"@{name}@" for name in missing))
    if unused:
        problems.append("no placeholder for " + ", ".join(unused))
    broken = sorted(name for name, value in values.items() if "\n" in str(value) or "\r" in str(value))
    if broken:
        problems.append("a line break in the value of " + ", ".join(broken))
    if problems:
        raise RenderError(f"{source}: " + "; ".join(problems))
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def render(template_path: str | Path, values: dict[str, str]) -> str:
    """The template's text with every @NAME@ replaced by values[NAME] (RenderError when they do not match)."""
    path = Path(template_path)
    return render_text(path.read_text(encoding="utf-8"), values, source=str(path))


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    template, output, pairs = argv[0], argv[1], argv[2:]
    values = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        if not equals or not PLACEHOLDER.fullmatch(f"@{name}@"):
            print(f"render.py: {pair!r} is not NAME=VALUE (NAME in capitals)", file=sys.stderr)
            return 2
        values[name] = value
    try:
        text = render(template, values)
    except (RenderError, OSError) as error:
        print(f"render.py: {error}", file=sys.stderr)
        return 1
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
