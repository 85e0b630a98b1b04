"""The production path's pieces that can be checked without starting them (deploy/smoke.sh starts them):
static files' fingerprinted addresses (network/static_files.py) and their cache headers, the nginx
configuration (nginx -t, and what it repeats from the app), deploy/render.py, deploy/run_unit.py, the systemd
units, gunicorn.conf.py's settings, and TRUSTED_HOSTS."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import url_for

from network import config as default_config
from network import static_files, web
from network.static_files import Fingerprints

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
STATIC = ROOT / "network" / "static"


def _load(name: str):
    """A script of deploy/ (standard library only, not a package) as a module."""
    spec = importlib.util.spec_from_file_location(f"deploy_{name}", DEPLOY / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render = _load("render")
run_unit = _load("run_unit")

IMMUTABLE = "public, max-age=31536000, immutable"
SHORT = "public, max-age=300"


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if found is None:
        if _under_ci():
            pytest.fail("nginx is not installed (CI=true: .ci/run installs nginx-light)", pytrace=False)
        pytest.skip("nginx is not installed (apt-get install nginx-light): its configuration is not checked")
    return found


def _site_values(port: int = 8080) -> dict:
    return {"LISTEN": f"127.0.0.1:{port}", "SERVER_NAME": "127.0.0.1 localhost", "UPSTREAM": "127.0.0.1:8000",
            "STATIC_ROOT": str(STATIC)}


# --- fingerprints --------------------------------------------------------------------------------------


def test_a_fingerprint_is_the_content_s_digest_and_changes_with_it(tmp_path):
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "app.js"
    script.write_bytes(b"one();")
    first = Fingerprints(tmp_path).digest("js/app.js")
    assert first == hashlib.sha256(b"one();").hexdigest()[:12]
    script.write_bytes(b"two();")
    # Computed once per file and process: the same process keeps its digest, a new one (a restart) sees the
    # change, and so does a development server that checks for changes.
    kept = Fingerprints(tmp_path)
    assert kept.digest("js/app.js") != first
    script.write_bytes(b"three();")
    assert kept.digest("js/app.js") == hashlib.sha256(b"two();").hexdigest()[:12]
    assert kept.digest("js/app.js", check_changes=True) == hashlib.sha256(b"three();").hexdigest()[:12]


def test_a_stylesheet_s_fingerprint_covers_the_files_its_urls_name(tmp_path):
    (tmp_path / "css").mkdir()
    (tmp_path / "icons").mkdir()
    (tmp_path / "css" / "site.css").write_text(
        '.a { mask: url(../icons/a.svg); } .b { background: url("data:image/png;base64,AA"); }'
        ' .c { background: url(/elsewhere.png); } .d { background: url(https://example.org/x.png); }'
        " .e { background: url('../../outside.png'); }")
    (tmp_path / "icons" / "a.svg").write_text("<svg>1</svg>")
    before = Fingerprints(tmp_path).digest("css/site.css")
    (tmp_path / "icons" / "a.svg").write_text("<svg>2</svg>")
    after = Fingerprints(tmp_path)
    assert after.digest("css/site.css") != before
    # The icon is fetched at /static/<the stylesheet's digest>/icons/a.svg: that address is a current one.
    assert after.covers(after.digest("css/site.css"), "icons/a.svg")
    assert not after.covers(before, "icons/a.svg")


def test_no_fingerprint_for_a_missing_file_or_one_outside_the_folder(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "secret.txt").write_text("no")
    fingerprints = Fingerprints(tmp_path / "static")
    assert fingerprints.digest("nothing.js") is None
    assert fingerprints.digest("../secret.txt") is None


def test_url_for_static_gives_the_fingerprinted_address(app):
    with app.test_request_context():
        address = url_for("static", filename="js/frame.js")
        missing = url_for("static", filename="js/no-such-file.js")
    digest = hashlib.sha256((STATIC / "js" / "frame.js").read_bytes()).hexdigest()[:12]
    assert address == f"/static/{digest}/js/frame.js"
    assert missing == "/static/js/no-such-file.js"  # nothing to fingerprint: the plain address


def test_every_asset_of_a_page_is_fingerprinted_and_each_digest_computed_once(app, client, monkeypatch):
    fingerprints = app.extensions["static_fingerprints"]
    fingerprints._known.clear()
    computed = []
    compute = fingerprints._compute

    def counting(name, seen):
        if not seen:  # a file's own computation (a stylesheet's url()s are computed within it)
            computed.append(name)
        return compute(name, seen)

    monkeypatch.setattr(fingerprints, "_compute", counting)
    pages = [client.get("/").get_data(as_text=True) for _ in range(3)]
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', pages[0])
    assert {"css/site.css", "js/frame.js"} <= {a.split("/", 3)[3] for a in assets}
    assert all(re.fullmatch(r"/static/[0-9a-f]{12}/.+", a) for a in assets), assets
    assert sorted(computed) == sorted(set(computed)) and len(computed) >= 2  # once each, not per request
    assert pages[0] == pages[1] == pages[2]


def test_both_addresses_serve_the_file_with_their_cache_lifetimes(app, client):
    with app.test_request_context():
        address = url_for("static", filename="js/frame.js")
        stylesheet = url_for("static", filename="css/site.css")
    content = (STATIC / "js" / "frame.js").read_bytes()
    fingerprinted = client.get(address)
    assert fingerprinted.status_code == 200 and fingerprinted.data == content
    assert fingerprinted.headers["Cache-Control"] == IMMUTABLE
    assert fingerprinted.headers["X-Content-Type-Options"] == "nosniff"  # the app's headers, as on every answer
    again = client.get(address, headers={"If-None-Match": fingerprinted.headers["ETag"]})
    assert again.status_code == 304
    plain = client.get("/static/js/frame.js")
    assert plain.status_code == 200 and plain.data == content and plain.headers["Cache-Control"] == SHORT
    # An icon named by the stylesheet, under the stylesheet's folder: current, kept a year.
    icon = client.get(stylesheet.replace("css/site.css", "icons/bell.svg"))
    assert icon.status_code == 200 and icon.headers["Cache-Control"] == IMMUTABLE
    # A digest that is not the file's (a page from before an upgrade): today's file, kept briefly.
    stale = client.get("/static/000000000000/js/frame.js")
    assert stale.status_code == 200 and stale.data == content and stale.headers["Cache-Control"] == SHORT
    for response in (fingerprinted, again, plain, icon, stale):
        response.close()
    digest = address.split("/")[2]
    assert client.get(f"/static/{digest}/../config.py").status_code == 404
    assert client.get(f"/static/{digest}/js/no-such-file.js").status_code == 404


def test_untrusted_host_is_refused_with_400(app, client):
    app.config["TRUSTED_HOSTS"] = ["network.example.org"]
    refused = client.get("/", headers={"Host": "attacker.example"})
    assert refused.status_code == 400 and refused.data == b""
    assert client.get("/", headers={"Host": "network.example.org:8443"}).status_code == 200


# --- nginx ---------------------------------------------------------------------------------------------


def test_the_rendered_nginx_configuration_passes_nginx_t(tmp_path):
    nginx = _nginx()
    tmp_path.chmod(0o755)  # as root, nginx's workers are "nobody"
    site = tmp_path / "peer-network.conf"
    site.write_text(render.render(DEPLOY / "nginx" / "peer-network.conf", _site_values()))
    main = tmp_path / "nginx.conf"
    main.write_text(render.render(DEPLOY / "nginx" / "standalone.conf",
                                  {"RUNTIME_DIR": str(tmp_path), "SITE_CONF": str(site)}))
    result = subprocess.run([nginx, "-t", "-e", str(tmp_path / "error.log"), "-c", str(main)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_nginx_repeats_the_app_s_limits_and_headers():
    site = (DEPLOY / "nginx" / "peer-network.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)m;", site)
    assert int(size.group(1)) * 1024 * 1024 == default_config.MAX_CONTENT_LENGTH
    assert f"[0-9a-f]{{{static_files.DIGEST_LENGTH}}}" in site
    assert f'add_header Cache-Control "public, max-age={static_files.IMMUTABLE_MAX_AGE}, immutable";' in site
    assert f'add_header Cache-Control "public, max-age={static_files.PLAIN_MAX_AGE}";' in site
    # Each static location sends the security headers the app sends on its own answers (network/web.py).
    from flask import Flask

    probe = Flask(__name__)
    with probe.test_request_context():
        headers = web._security_headers(probe.response_class("")).headers
    expected = {name: headers[name] for name in ("Content-Security-Policy", "X-Content-Type-Options",
                                                 "Referrer-Policy", "X-Frame-Options",
                                                 "Cross-Origin-Opener-Policy", "Permissions-Policy")}
    assert expected["Content-Security-Policy"] == web.CONTENT_SECURITY_POLICY
    locations = re.findall(r"location [^{]*/static/[^{]*\{(.*?)\n    \}", site, re.S)
    assert len(locations) == 2
    for block in locations:
        sent = dict(re.findall(r'add_header ([\w-]+) "([^"]*)" always;', block))
        assert sent == expected
    # The headers the app trusts with NETWORK_TRUSTED_PROXIES=1 (ProxyFix x_for, x_proto), set by nginx.
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_http_version 1.1;" in site and 'proxy_set_header Connection "";' in site


# --- deploy/render.py ----------------------------------------------------------------------------------


def test_render_fills_every_placeholder(tmp_path):
    template = tmp_path / "t.conf"
    template.write_text("listen @LISTEN@;\nroot @STATIC_ROOT@/; # again @LISTEN@\n")
    assert render.render(template, {"LISTEN": "80", "STATIC_ROOT": "/srv/s"}) == \
        "listen 80;\nroot /srv/s/; # again 80\n"


def test_render_refuses_a_missing_placeholder_an_unused_value_and_a_line_break(tmp_path):
    template = tmp_path / "t.conf"
    template.write_text("listen @LISTEN@; root @STATIC_ROOT@;\n")
    with pytest.raises(render.RenderError, match="no value for @STATIC_ROOT@"):
        render.render(template, {"LISTEN": "80"})
    with pytest.raises(render.RenderError, match="no placeholder for LISTN"):
        render.render(template, {"LISTEN": "80", "STATIC_ROOT": "/s", "LISTN": "81"})
    with pytest.raises(render.RenderError, match="line break in the value of LISTEN"):
        render.render(template, {"LISTEN": "80;\nlisten 81", "STATIC_ROOT": "/s"})
    result = subprocess.run([sys.executable, str(DEPLOY / "render.py"), str(template), str(tmp_path / "out"),
                             "LISTEN=80"], capture_output=True, text=True)
    assert result.returncode == 1 and "no value for @STATIC_ROOT@" in result.stderr
    assert not (tmp_path / "out").exists()


def test_every_deploy_template_renders_with_its_documented_values():
    values = {"APP_DIR": "/srv/peer-network", "BACKUP_DIR": "/var/backups/peer-network",
              "RUNTIME_DIR": "/tmp/nginx", "SITE_CONF": "/tmp/nginx/site.conf", **_site_values()}
    for template in sorted((DEPLOY / "nginx").glob("*.conf")) + sorted((DEPLOY / "systemd").glob("*")):
        text = template.read_text()
        names = render.placeholders(text)
        rendered = render.render(template, {name: values[name] for name in names})
        assert "@" not in re.sub(r"\S+@\S+\.\w+", "", rendered), template  # no placeholder left


# --- systemd units and deploy/run_unit.py -------------------------------------------------------------


def _unit(name: str) -> dict:
    text = render.render(DEPLOY / "systemd" / name, {"APP_DIR": "/srv/peer-network"})
    settings = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings.setdefault(key, []).append(value)
    return settings


@pytest.mark.parametrize("name, command", [
    ("peer-network-web.service", "/srv/peer-network/.venv/bin/gunicorn --config "
                                 "/srv/peer-network/gunicorn.conf.py wsgi:app"),
    ("peer-network-search.service", "/srv/peer-network/.venv/bin/flask --app network search worker"),
    ("peer-network-jobs.service", "/srv/peer-network/.venv/bin/flask --app network jobs worker"),
])
def test_the_services_run_the_platform_s_commands_hardened(name, command):
    unit = _unit(name)
    assert unit["ExecStart"] == [command]
    assert unit["User"] == ["peer-network"] and unit["EnvironmentFile"] == ["/etc/peer-network/env"]
    assert "NETWORK_SEARCH_INDEXER=external" in unit["Environment"]  # only the search worker writes the index
    for key, value in (("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"),
                       ("ReadWritePaths", "/var/lib/peer-network"), ("Restart", "on-failure")):
        assert unit[key] == [value], key
    assert unit["PartOf"] == ["peer-network.target"] and unit["WantedBy"] == ["peer-network.target"]


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed: the units' syntax is not checked")
    values = {"APP_DIR": str(ROOT), "BACKUP_DIR": str(tmp_path)}
    for template in (DEPLOY / "systemd").iterdir():
        names = render.placeholders(template.read_text())
        (tmp_path / template.name).write_text(render.render(template, {n: values[n] for n in names}))
    units = sorted(str(p) for p in tmp_path.iterdir() if p.is_file())
    result = subprocess.run([analyze, "verify", "--man=no", *units], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_run_unit_runs_a_command_as_systemd_would(tmp_path):
    (tmp_path / "env").write_text("# comment\nFROM_FILE='from the file'\nBOTH=file\n")
    (tmp_path / "x.service").write_text(f"""[Service]
Type=oneshot
WorkingDirectory={tmp_path}
Environment=BOTH=unit "SPACED=a b"
EnvironmentFile=/nonexistent/env
ExecStart=/bin/sh -c 'echo "$$FROM_FILE|$$BOTH|$$SPACED|100%%|$$(pwd)" > out'
ExecStartPost=/bin/sh -c 'echo post >> out'
""")
    result = subprocess.run([sys.executable, str(DEPLOY / "run_unit.py"), str(tmp_path / "x.service"),
                             "--env-file", str(tmp_path / "env")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    # The environment file wins over Environment=, as under systemd; %% and $$ are a percent and a dollar sign.
    assert (tmp_path / "out").read_text() == f"from the file|file|a b|100%|{tmp_path}\npost\n"
    with pytest.raises(run_unit.UnitError, match="specifier %n"):
        run_unit._command("/bin/echo %n", "ExecStart")


# --- gunicorn.conf.py -----------------------------------------------------------------------------------


def _gunicorn_settings(monkeypatch, **env) -> dict:
    for name in ("GUNICORN_BIND", "GUNICORN_WORKERS", "WEB_CONCURRENCY", "GUNICORN_WORKER_CLASS",
                 "GUNICORN_THREADS", "GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    defaults = _gunicorn_settings(monkeypatch)
    assert defaults["bind"] == ["127.0.0.1:8000"] and defaults["worker_class"] == "gthread"
    assert defaults["threads"] == 4 and defaults["workers"] == (os.cpu_count() or 1) + 1
    assert defaults["keepalive"] > 60  # longer than nginx's keepalive_timeout to the upstream
    assert callable(defaults["on_starting"])  # the configuration check before any worker boots
    assert _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="5")["workers"] == 5
    chosen = _gunicorn_settings(monkeypatch, WEB_CONCURRENCY="5", GUNICORN_WORKERS="3", GUNICORN_WORKER_CLASS="sync",
                                GUNICORN_BIND="unix:/run/peer-network/gunicorn.sock", GUNICORN_MAX_REQUESTS="1000")
    assert (chosen["workers"], chosen["worker_class"], chosen["threads"]) == (3, "sync", 1)
    assert chosen["bind"] == ["unix:/run/peer-network/gunicorn.sock"]
    assert (chosen["max_requests"], chosen["max_requests_jitter"]) == (1000, 100)
