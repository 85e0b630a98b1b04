"""How the load benchmark's figures grow with the network: bench/load.py at several sizes, databases and fronts.

    .venv/bin/python bench/load_scaling.py [--sizes 1000,5000,20000,100000] [--databases sqlite,postgresql]
                                           [--fronts gunicorn,nginx] [--instance-root /tmp/load-scaling]
                                           [--output bench/load-scaling] [--seed-only] [--redraw]
                                           [LOAD.PY OPTIONS ...]

For each database, each size and each front (in that order, so that an instance is used by its runs one
after the other), runs `bench/load.py --database DB --practices SIZE --front FRONT --instance
ROOT/DB-SIZE` with the options this script does not know passed on as they are (--requests, --clients,
--workers, --worker-class, --threads, --page-cache ...; the other sizes follow --practices, as load.py's
docstring says). An instance is seeded by its first run and reused by the next ones (and by the next time
this script runs): `--seed-only` prepares every instance and measures nothing, so that the large ones can
be made ahead. Each run's whole output is kept in ROOT/logs/.

Then it writes, beside --output (bench/load-scaling by default):
- OUTPUT.json: every run's RESULT line, its exit status, the load average before it, the time it took;
- OUTPUT.md: a Markdown table of requests/s and the p95 of each route against the size, and how much the
  p95 of the practice list and of search grew from the smallest size to the largest (issue 24: < 3 times);
- OUTPUT.svg: the same as a chart (requests/s and the p95 per route against the number of practices, log x
  axis, one line per database and front), a plain SVG with a title and a description, readable without
  JavaScript.
--redraw rewrites OUTPUT.md and OUTPUT.svg from OUTPUT.json without running anything.

Nothing is asserted. The last line is machine-readable:
RESULT runs=... failed=... sizes=... databases=... fronts=... min_rps=...
       list_p95_growth_<db>_<front>=... search_p95_growth_<db>_<front>=... (largest size / smallest size)
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

from load import cpu_model  # bench/load.py, beside this script

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
LOAD = BENCH / "load.py"

# The routes of load.py's mix, by their name in its RESULT line (p95_<name>_ms), and how they are labelled.
ROUTES = [("home", "home page"), ("list_plain", "practice list"), ("list_filters", "practice list, filtered"),
          ("practice", "practice page"), ("institution", "institution page"), ("search_plain", "search"),
          ("search_filters", "search, filtered"), ("comment", "comment post")]
COLOURS = {"sqlite": "#1d5a8c", "postgresql": "#b3541e"}  # blue and orange: apart also for most colour blindness
DASHES = {"nginx": "", "gunicorn": "6 4"}  # nginx solid, gunicorn alone dashed
SHOWN = ("rps", "p95_page_ms", "p95_list_ms", "p95_search_ms", "errors")  # printed after each run


def parse_result(line: str) -> dict[str, str]:
    """`RESULT a=1 b=x` -> {"a": "1", "b": "x"}."""
    return dict(part.split("=", 1) for part in line.split()[1:] if "=" in part)


def number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def run_one(database: str, size: int, front: str, root: Path, extra: list[str], seed_only: bool) -> dict:
    instance = root / f"{database}-{size}"
    command = [sys.executable, str(LOAD), "--database", database, "--practices", str(size), "--front", front,
               "--instance", str(instance), *extra]
    if seed_only:
        command.append("--seed-only")
    logs = root / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / (f"{database}-{size}-seed.log" if seed_only else f"{database}-{size}-{front}.log")
    load_before = os.getloadavg()
    print(f"== {' '.join(shlex.quote(part) for part in command[1:])}  (load {load_before[0]:.2f}; log {log})",
          flush=True)
    started = time.monotonic()
    result: dict[str, str] = {}
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, bufsize=1)
        try:
            for line in process.stdout:
                out.write(line)
                if line.startswith("RESULT "):
                    result = parse_result(line)
                elif line.startswith(("Seeded ", "Seeding took", "Checked ", "Reindexed ")):
                    print(f"   {line.rstrip()}", flush=True)
            status = process.wait()
        except BaseException:
            process.terminate()  # load.py stops its servers on SIGTERM
            process.wait()
            raise
    seconds = time.monotonic() - started
    if status:
        print(f"   FAILED (exit {status}), see {log}", flush=True)
    elif result:
        shown = " ".join(f"{key}={result[key]}" for key in SHOWN if key in result)
        print(f"   {shown} ({seconds:.0f} s)", flush=True)
    return {"database": database, "practices": size, "front": front, "status": status, "result": result,
            "load_before": round(load_before[0], 2), "seconds": round(seconds, 1), "log": str(log),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}


# --- the table -------------------------------------------------------------------------------------------

def configurations(runs: list[dict]) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for run in runs:
        seen.setdefault((run["database"], run["front"]), None)
    return list(seen)


def growth(runs: list[dict], database: str, front: str, key: str) -> float:
    """The figure at the largest size over the figure at the smallest, among this configuration's runs."""
    points = sorted((run["practices"], number(run["result"].get(key))) for run in runs
                    if run["database"] == database and run["front"] == front and run["result"])
    points = [(size, value) for size, value in points if value == value]
    if len(points) < 2 or points[0][1] <= 0:
        return float("nan")
    return points[-1][1] / points[0][1]


def fmt(value: float, digits: int = 0) -> str:
    if value != value:
        return "-"
    return f"{value:,.{digits}f}"


def markdown(runs: list[dict], meta: dict) -> str:
    lines = [f"# Load against the network's size ({meta['date']})", "",
             f"`bench/load_scaling.py {meta['arguments']}` on {meta['machine']}. Each row is one run of "
             "`bench/load.py` (its log: the `log` field of the JSON); \"load\" is the machine's load average "
             "just before it. p95 in milliseconds, seen by the clients.", ""]
    header = ["database", "front", "practices", "gunicorn", "requests/s", "p95 pages", "p95 lists",
              "p95 search", "server p95 lists", "server p95 search", "floor req/s", "errors", "load"]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "|".join(["---"] * 2 + ["---:"] * (len(header) - 2)) + "|")
    measured = [run for run in runs if run["result"]]
    for run in runs:
        r = run["result"]
        if not r:
            lines.append(f"| {run['database']} | {run['front']} | {run['practices']:,} | failed (exit "
                         f"{run['status']}) |" + " |" * (len(header) - 4))
            continue
        workers = f"{r.get('workers', '?')} {r.get('worker_class', '')}" + (
            f" x{r['threads']}" if r.get("worker_class") == "gthread" else "")
        cells = [run["database"], run["front"], f"{run['practices']:,}", workers, fmt(number(r.get("rps")), 1)]
        cells += [fmt(number(r.get(key))) for key in ("p95_page_ms", "p95_list_ms", "p95_search_ms",
                                                       "server_p95_list_ms", "server_p95_search_ms", "floor_rps")]
        cells += [r.get("errors", "?"), f"{run['load_before']:.2f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "p95 per route (ms, seen by the clients):", "",
              "| database | front | practices | " + " | ".join(label for _key, label in ROUTES) + " |",
              "|---|---|---:|" + "---:|" * len(ROUTES)]
    for run in measured:
        lines.append(f"| {run['database']} | {run['front']} | {run['practices']:,} | "
                     + " | ".join(fmt(number(run["result"].get(f"p95_{key}_ms"))) for key, _label in ROUTES) + " |")
    lines += ["", "Growth from the smallest size to the largest (issue 24: the p95 of the practice list and of "
              "search should grow by less than 3 times):", "",
              "| database | front | sizes | p95 lists | p95 search | server p95 lists | server p95 search | "
              "requests/s |", "|---|---|---|---:|---:|---:|---:|---:|"]
    for database, front in configurations(runs):
        sizes = sorted(run["practices"] for run in runs
                       if run["database"] == database and run["front"] == front and run["result"])
        if len(sizes) < 2:
            continue
        figures = [growth(runs, database, front, key) for key in
                   ("p95_list_ms", "p95_search_ms", "server_p95_list_ms", "server_p95_search_ms", "rps")]
        lines.append(f"| {database} | {front} | {sizes[0]:,} to {sizes[-1]:,} | "
                     + " | ".join(f"{fmt(value, 2)}x" if value == value else "-" for value in figures) + " |")
    lines += ["", "![Requests per second and p95 per route against the number of practices]"
              f"({meta['svg_name']})", ""]
    return "\n".join(lines)


# --- the chart -------------------------------------------------------------------------------------------

PANEL_W, PANEL_H, COLUMNS = 300, 210, 3
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 30, 42  # inside a panel: room for the axes' labels
TEXT, GRID, AXIS = "#1a1a1a", "#d9dee3", "#595959"


def nice_ceiling(value: float) -> tuple[float, float]:
    """An axis maximum at or above `value` and a tick step: 1, 2 or 5 times a power of ten."""
    if not value or value != value or value <= 0:
        return 1.0, 0.2
    raw = value / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(f * power for f in (1, 2, 5, 10) if f * power >= raw)
    return step * math.ceil(value / step), step


def panel(key: str, label: str, left: float, top: float, runs: list[dict], configs: list[tuple[str, str]],
          sizes: list[int], log_range: tuple[float, float]) -> list[str]:
    """One small chart: the figure `key` against the number of practices, one line per configuration."""
    x0, x1, y0, y1 = left + LEFT, left + PANEL_W - RIGHT, top + TOP, top + PANEL_H - BOTTOM
    low, high = log_range
    values = [number(run["result"].get(key)) for run in runs]
    maximum, step = nice_ceiling(max([v for v in values if v == v] or [1.0]))

    def x_of(size: float) -> float:
        return x0 + (math.log10(size) - low) / (high - low) * (x1 - x0)

    def y_of(value: float) -> float:
        return y1 - value / maximum * (y1 - y0)

    out = [f'<g aria-label="{escape(label)}">',
           f'<text x="{(x0 + x1) / 2}" y="{top + 18}" font-size="13" font-weight="bold" text-anchor="middle" '
           f'fill="{TEXT}">{escape(label)}</text>']
    for n in range(round(maximum / step) + 1):
        tick = n * step
        y = y_of(tick)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        out.append(f'<text x="{x0 - 5}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
                   f'fill="{TEXT}">{tick:g}</text>')
    for size in sizes:
        x = x_of(size)
        out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y1}" stroke="{GRID}" stroke-width="1"/>')
        shown = f"{size // 1000:g}k" if size >= 1000 and size % 1000 == 0 else f"{size:g}"
        out.append(f'<text x="{x:.1f}" y="{y1 + 15}" font-size="11" text-anchor="middle" '
                   f'fill="{TEXT}">{shown}</text>')
    out.append(f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="{AXIS}" stroke-width="1"/>')
    out.append(f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="{AXIS}" stroke-width="1"/>')
    out.append(f'<text x="{(x0 + x1) / 2}" y="{y1 + 31}" font-size="11" text-anchor="middle" '
               f'fill="{AXIS}">practices (log scale)</text>')
    for database, front in configs:
        points = sorted((run["practices"], number(run["result"].get(key))) for run in runs
                        if run["database"] == database and run["front"] == front)
        points = [(s, v) for s, v in points if v == v]
        if not points:
            continue
        colour, dashes = COLOURS.get(database, TEXT), DASHES.get(front, "2 2")
        path = " ".join(f"{x_of(s):.1f},{y_of(v):.1f}" for s, v in points)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
                   f'stroke-dasharray="{dashes}"/>')
        for s, v in points:
            out.append(f'<circle cx="{x_of(s):.1f}" cy="{y_of(v):.1f}" r="3" fill="{colour}">'
                       f'<title>{escape(f"{database}, {front}, {s:,} practices: {v:g}")}</title></circle>')
    out.append("</g>")
    return out


def svg_chart(runs: list[dict], meta: dict) -> str:
    good = [run for run in runs if run["result"]]
    panels = [("rps", "Requests per second")] + [(f"p95_{key}_ms", f"p95 {label} (ms)") for key, label in ROUTES]
    rows = math.ceil(len(panels) / COLUMNS)
    configs = configurations(good)
    legend_h = 24 + 18 * math.ceil(len(configs) / 2)
    width, height = PANEL_W * COLUMNS, 40 + legend_h + rows * PANEL_H + 10
    sizes = sorted({run["practices"] for run in good}) or [1000, 100000]
    low, high = math.log10(min(sizes) / 1.4), math.log10(max(sizes) * 1.4)
    title = "Peer Network load benchmark: throughput and p95 latency against the number of practices"
    description = (f"{meta['date']}, {meta['machine']}. One line per database and front server; the x axis "
                   f"(practices: {', '.join(f'{s:,}' for s in sizes)}) is logarithmic. The same figures are in "
                   f"the table {meta['md_name']}.")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" font-family="sans-serif" aria-labelledby="title desc">',
           f'<title id="title">{escape(title)}</title>', f'<desc id="desc">{escape(description)}</desc>',
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{width / 2}" y="22" font-size="15" font-weight="bold" text-anchor="middle" '
           f'fill="{TEXT}">{escape(title)}</text>']
    # The legend: colour for the database, dashes for the front.
    for n, (database, front) in enumerate(configs):
        x, y = 20 + (n % 2) * (width / 2), 48 + 18 * (n // 2)
        out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 34}" y2="{y - 4}" stroke="{COLOURS.get(database, TEXT)}" '
                   f'stroke-width="2.5" stroke-dasharray="{DASHES.get(front, "2 2")}"/>')
        out.append(f'<text x="{x + 42}" y="{y}" font-size="13" fill="{TEXT}">{escape(database)}, '
                   f'{escape("nginx in front of gunicorn" if front == "nginx" else "gunicorn alone")}</text>')
    top0 = 40 + legend_h
    for index, (key, label) in enumerate(panels):
        left, top = (index % COLUMNS) * PANEL_W, top0 + (index // COLUMNS) * PANEL_H
        out += panel(key, label, left, top, good, configs, sizes, (low, high))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def machine() -> str:
    model = cpu_model()
    return f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}"


def write_outputs(output: Path, runs: list[dict], meta: dict) -> None:
    meta = {**meta, "svg_name": output.with_suffix(".svg").name, "md_name": output.with_suffix(".md").name}
    output.with_suffix(".md").write_text(markdown(runs, meta))
    output.with_suffix(".svg").write_text(svg_chart(runs, meta))
    print(f"Wrote {output.with_suffix('.md')}, {output.with_suffix('.svg')} and {output.with_suffix('.json')}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Other options are passed on to bench/load.py.")
    parser.add_argument("--sizes", default="1000,5000,20000,100000", help="practices, comma-separated")
    parser.add_argument("--databases", default="sqlite,postgresql", help="sqlite,postgresql (both)")
    parser.add_argument("--fronts", default="gunicorn,nginx", help="gunicorn,nginx (both)")
    parser.add_argument("--instance-root", default="/tmp/load-scaling",
                        help="instances go in ROOT/<database>-<size> (kept and reused), logs in ROOT/logs")
    parser.add_argument("--output", default=str(BENCH / "load-scaling"),
                        help="OUTPUT.json, OUTPUT.md and OUTPUT.svg (bench/load-scaling)")
    parser.add_argument("--seed-only", action="store_true", help="prepare every instance, measure nothing")
    parser.add_argument("--redraw", action="store_true", help="rewrite OUTPUT.md and .svg from OUTPUT.json")
    args, extra = parser.parse_known_args()
    output = Path(args.output).resolve()
    if args.redraw:
        saved = json.loads(output.with_suffix(".json").read_text())
        write_outputs(output, saved["runs"], saved["meta"])
        return
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    fronts = [f.strip() for f in args.fronts.split(",") if f.strip()]
    for value, allowed, name in ((databases, ("sqlite", "postgresql"), "--databases"),
                                 (fronts, ("gunicorn", "nginx"), "--fronts")):
        if not value or set(value) - set(allowed):
            parser.error(f"{name}: a comma-separated choice of {', '.join(allowed)}")
    root = Path(args.instance_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    arguments = " ".join(shlex.quote(part) for part in sys.argv[1:])
    runs: list[dict] = []
    started = time.monotonic()
    try:
        for database in databases:
            for size in sizes:
                if args.seed_only:
                    runs.append(run_one(database, size, fronts[0], root, extra, seed_only=True))
                    continue
                for front in fronts:
                    runs.append(run_one(database, size, front, root, extra, seed_only=False))
    except KeyboardInterrupt:
        print("Interrupted: writing what was measured.", file=sys.stderr)
    failed = sum(1 for run in runs if run["status"])
    if args.seed_only:
        print(f"RESULT runs={len(runs)} failed={failed} sizes={','.join(map(str, sizes))} "
              f"databases={','.join(databases)} seconds={time.monotonic() - started:.0f}")
        return
    meta = {"date": datetime.now(timezone.utc).isoformat(timespec="minutes"), "machine": machine(),
            "arguments": arguments}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.with_suffix(".json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=1))
    write_outputs(output, runs, meta)
    rates = [number(run["result"].get("rps")) for run in runs if run["result"]]
    rates = [rate for rate in rates if rate == rate]
    growths = []
    for database, front in configurations(runs):
        for key, name in (("p95_list_ms", "list"), ("p95_search_ms", "search")):
            value = growth(runs, database, front, key)
            growths.append(f"{name}_p95_growth_{database}_{front}={value:.2f}" if value == value
                           else f"{name}_p95_growth_{database}_{front}=-")
    print(f"RESULT runs={len(runs)} failed={failed} sizes={','.join(map(str, sizes))} "
          f"databases={','.join(databases)} fronts={','.join(fronts)} "
          f"min_rps={f'{min(rates):.1f}' if rates else '-'} " + " ".join(growths))


if __name__ == "__main__":
    main()
