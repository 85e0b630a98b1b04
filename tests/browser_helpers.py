"""Helpers for the browser tests in tests/browser (not a conftest: tests elsewhere import `conftest` by name).

A live server runs in a child process on 127.0.0.1 (a free port) against a temporary instance: its own
SQLite database built by the migrations, its own upload folder and search index, and the search indexer as a
background thread, as with `make run`. The tests drive Debian's Chromium with Playwright for Python and scan
pages with axe-core, injected from a local copy (nothing loads from a CDN).

The tests run only when asked for (`make test-browser`, or `pytest tests/browser -m browser`); they skip when
Playwright, Chromium or axe-core is missing, except under CI (CI=true), where a missing tool is a failure.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
AXE_DEFAULT = PROJECT_ROOT / ".cache" / "node" / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "browser tests password"
# Cheap hashing for the accounts the tests make and log in with (the production cost is in config.py).
FAST_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1}
TIMEOUT_MS = 15_000
# What axe reports that the tests refuse; "moderate" and "minor" findings are printed, not failed.
BLOCKING_IMPACTS = ("serious", "critical")


# --- when the tests run -----------------------------------------------------------------------------------


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def enabled(config) -> bool:
    """Asked for by the marker expression (-m browser) or by NETWORK_BROWSER_TESTS=1."""
    expression = config.getoption("markexpr", "") or ""
    asked = re.search(r"\bbrowser\b", expression) and not re.search(r"\bnot\s+browser\b", expression)
    return bool(asked) or os.environ.get("NETWORK_BROWSER_TESTS") == "1"


def chromium_path() -> str | None:
    return os.environ.get("NETWORK_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def axe_path() -> Path:
    return Path(os.environ.get("AXE_CORE_PATH") or AXE_DEFAULT)


def missing_tools(axe: bool = False) -> list[str]:
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright for Python (pip install -e '.[browser]')")
    if not chromium_path():
        missing.append("Chromium (apt-get install chromium)")
    if axe and not axe_path().is_file():
        missing.append(f"axe-core at {axe_path()} (make test-browser installs it with npm)")
    return missing


def require_browser(config, axe: bool = False) -> None:
    """Skip unless asked for; skip when a tool is missing, or fail under CI, where it must be there."""
    if not enabled(config):
        pytest.skip("browser tests run only when asked for: "
                    "make test-browser (pytest tests/browser -m browser)")
    missing = missing_tools(axe)
    if missing:
        message = "browser tests need " + "; ".join(missing)
        if on_ci():
            pytest.fail(message + " (CI=true: a missing tool is a failure, not a skip)", pytrace=False)
        pytest.skip(message)


# --- the application: a temporary instance and a live server ----------------------------------------------


def app_config(database_url: str) -> dict:
    return {"SECRET_KEY": "browser-tests-secret", "SQLALCHEMY_DATABASE_URI": database_url,
            "SEARCH_INDEXER": "manual", **FAST_HASHING}


@contextlib.contextmanager
def instance_env(instance: Path):
    """NETWORK_INSTANCE_PATH for create_app() in this process, as tests/conftest.py sets it."""
    before = os.environ.get("NETWORK_INSTANCE_PATH")
    os.environ["NETWORK_INSTANCE_PATH"] = str(instance)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("NETWORK_INSTANCE_PATH", None)
        else:
            os.environ["NETWORK_INSTANCE_PATH"] = before


@contextlib.contextmanager
def migrated_app(workdir: Path):
    """An app on a new SQLite database built by the Alembic migrations (as tests/conftest.py builds its
    template), with its app context pushed: the tests seed and read the database through it. It never
    writes the search index: the server's indexer thread does."""
    from flask_migrate import upgrade

    from network import create_app
    from network.extensions import db

    instance = workdir / "instance"
    instance.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{workdir / 'network.sqlite3'}"
    with instance_env(instance):
        app = create_app(app_config(url))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


SERVER_PROGRAM = """
import os, sys
from werkzeug.serving import make_server
from network import create_app

app = create_app()
server = make_server("127.0.0.1", 0, app, threaded=True)
with open(sys.argv[1] + ".tmp", "w") as out:
    out.write(str(server.server_port))
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
"""


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def server_env(app) -> dict[str, str]:
    """The child's settings: the same database and instance as `app`, CSRF on, the indexer as a thread."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("NETWORK_")}
    env.update(
        NETWORK_INSTANCE_PATH=str(app.instance_path),
        NETWORK_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        NETWORK_SECRET_KEY=app.config["SECRET_KEY"],
        NETWORK_SEARCH_INDEXER="thread",
        PYTHONPATH=str(PROJECT_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        **{f"NETWORK_{key}": str(value) for key, value in FAST_HASHING.items()},
    )
    return env


@contextlib.contextmanager
def live_server(app, timeout: float = 60):
    """Serve this app's database from a child process (werkzeug, threaded) until the block ends."""
    instance = Path(app.instance_path)
    port_file, log = instance / "server.port", instance / "server.log"
    port_file.unlink(missing_ok=True)
    with open(log, "w") as log_stream:
        process = subprocess.Popen([sys.executable, "-c", SERVER_PROGRAM, str(port_file)],
                                   env=server_env(app), cwd=str(PROJECT_ROOT),
                                   stdout=log_stream, stderr=subprocess.STDOUT)
    server = LiveServer("", process, log)
    try:
        deadline = time.monotonic() + timeout
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the live server did not start:\n" + server.log_tail())
            time.sleep(0.1)
        server.url = f"http://127.0.0.1:{port_file.read_text().strip()}"
        # The first request also starts the search indexer thread.
        while True:
            try:
                with urllib.request.urlopen(server.url + "/", timeout=10) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the live server does not answer:\n" + server.log_tail()) from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fresh() -> None:
    """Read what the server wrote since: end this process's transaction and forget loaded objects."""
    from network.extensions import db

    db.session.rollback()
    db.session.expire_all()


def wait_until_indexed(timeout: float = 60) -> None:
    """Until the server's indexer has emptied the search outbox."""
    from network.search.sync import pending_count

    deadline = time.monotonic() + timeout
    while True:
        fresh()
        pending = pending_count()
        if not pending:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the search indexer left {pending} changes in the outbox after {timeout} s")
        time.sleep(0.3)


# --- the demo network -------------------------------------------------------------------------------------

DEMO_PASSWORD = "peer-network-demo"  # every account seed-demo makes


def demo_value(query):
    """The first value a query finds in the demo's data (its ids depend on the order of seeding); a failure
    naming the query when the demo has none."""
    from network.extensions import db

    value = db.session.scalar(query.limit(1))
    assert value is not None, f"the demo has nothing for {query}"
    return value


@contextlib.contextmanager
def demo_network(request, workdir: Path, demo_ids, indexed: bool = False):
    """The demo network (`seed-demo` on a migrated database, the mobility clock real) behind a live server, for
    a module's tests that scan pages with axe: yields (server, demo_ids()), the ids of the objects the pages show.
    indexed: wait until the server's indexer has indexed the demo (the module searches at once)."""
    from conftest import real_mobility_clock

    require_browser(request.config, axe=True)
    with migrated_app(workdir) as app, real_mobility_clock():
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        ids = demo_ids()
        with live_server(app) as server:
            if indexed:
                wait_until_indexed()
            yield server, ids


@contextlib.contextmanager
def pages_per_person(browser, base_url: str, people: dict, ids: dict):
    """Yields page_of(who): one page per person, logged in once through the login page (people: who -> email,
    None for an anonymous visitor; "{name}" in an email is filled from ids), each in its own context with
    axe-core injected on every load. A module's tests share them: logging in for each would take most of their
    time. The contexts are closed at the end."""
    contexts, opened = [], {}

    def page_of(who: str):
        if who not in opened:
            context = axe_context(browser, base_url)
            contexts.append(context)
            page = context.new_page()
            if people[who]:
                log_in(page, people[who].format(**ids), DEMO_PASSWORD)
            opened[who] = page
        return opened[who]

    try:
        yield page_of
    finally:
        for context in contexts:
            context.close()


# --- the browser ------------------------------------------------------------------------------------------


@contextlib.contextmanager
def chromium():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True,
            # No network but this machine: no background requests, no QUIC probes, no GPU.
            args=["--disable-gpu", "--disable-quic", "--disable-background-networking", "--no-first-run"],
        )
        try:
            yield browser
        finally:
            browser.close()


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120] or "page"


@dataclass
class Session:
    """The browser contexts a test opened (one per person), screenshot when the test fails."""

    browser: object
    base_url: str
    name: str
    contexts: dict = field(default_factory=dict)
    step: str = ""

    def page_for(self, who: str):
        """The page of this person (a context of their own: their own cookies), opened on first use. The
        site's CSP applies as in production."""
        if who not in self.contexts:
            context = self.browser.new_context(base_url=self.base_url, locale="en-GB",
                                               viewport={"width": 1280, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            context.new_page()
            self.contexts[who] = context
        return self.contexts[who].pages[-1]

    @contextlib.contextmanager
    def step_named(self, text: str):
        """A step of a journey: its name goes into the failure message and the screenshots' names."""
        self.step = text
        try:
            yield
        except Exception as error:
            raise AssertionError(f"step “{text}” failed: {error}") from error

    def save_artifacts(self) -> list[Path]:
        ARTIFACTS.mkdir(exist_ok=True)
        saved = []
        for who, context in self.contexts.items():
            for n, page in enumerate(context.pages):
                target = ARTIFACTS / f"{slug(self.name)}--{slug(self.step or 'end')}--{slug(who)}-{n}.png"
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(target), full_page=True)
                    saved.append(target)
        return saved

    def close(self) -> None:
        for context in self.contexts.values():
            with contextlib.suppress(Exception):
                context.close()
        self.contexts.clear()


@contextlib.contextmanager
def browser_session(request, browser, base_url: str):
    """A Session for one test; when the test fails, every open page is saved under test-artifacts/."""
    failed_before = request.session.testsfailed
    session = Session(browser, base_url, request.node.name)
    try:
        yield session
    finally:
        # The test's own report is logged before its fixtures are torn down: a new failure is this test's.
        if request.session.testsfailed > failed_before:
            for path in session.save_artifacts():
                print(f"screenshot: {path.relative_to(PROJECT_ROOT)}")
        session.close()


@contextlib.contextmanager
def screenshot_on_failure(page, name: str):
    """Save the page under test-artifacts/ when the block fails (for pages kept across tests)."""
    try:
        yield
    except BaseException:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / f"{slug(name)}.png"
        with contextlib.suppress(Exception):
            page.screenshot(path=str(target), full_page=True)
            print(f"screenshot: {target.relative_to(PROJECT_ROOT)}")
        raise


def log_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    main = page.get_by_role("main")
    main.get_by_label("Email address").fill(email)
    main.get_by_label("Password").fill(password)
    main.get_by_role("button", name="Log in").click()
    expect_flash(page, "You are logged in.")


def expect_flash(page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".flashes")).to_contain_text(text)


# --- keyboard ---------------------------------------------------------------------------------------------

FOCUSED_MATCHES = """([css, text]) => {
  const el = document.activeElement;
  if (!el || !el.matches(css)) return false;
  return !text || (el.innerText || el.value || "").replace(/\\s+/g, " ").includes(text);
}"""


def tab_to(page, css: str, text: str = "", max_presses: int = 120, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused element matches the CSS selector (and holds the text)."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(max_presses):
        page.keyboard.press(key)
        if page.evaluate(FOCUSED_MATCHES, [css, text]):
            return
    focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"{max_presses} presses of {key} never reached {css} {text!r}; "
                         f"focus is on {focused}")


def focused_html(page) -> str:
    return page.evaluate("() => document.activeElement ? document.activeElement.outerHTML : ''")


# --- accessibility ----------------------------------------------------------------------------------------


def axe_context(browser, base_url: str):
    """A context whose pages all get axe-core before their own scripts. The site's CSP (script-src 'self')
    refuses injected scripts: only these scanning contexts bypass it."""
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="en-GB",
                                  viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.add_init_script(path=str(axe_path()))
    return context


def axe_scan(page) -> list[dict]:
    """Run axe-core on the page and return its violations (axe is injected from the local copy, by
    axe_context or here)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path()))
    results = page.evaluate("""async () => {
      const r = await window.axe.run(document, {resultTypes: ["violations"]});
      return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 300),
                                  summary: n.failureSummary}))}));
    }""")
    return results


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['impact']}: {v['id']} ({v['help']}), {len(v['nodes'])} element(s):")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node['html']}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


def save_axe_report(name: str, violations: list[dict]) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / f"axe--{slug(name)}.json"
    target.write_text(json.dumps(violations, indent=2, ensure_ascii=False))
    return target
