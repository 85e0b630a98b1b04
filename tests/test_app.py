"""The application factory: configuration, database set-up, error pages and headers."""
import pytest
import sqlalchemy as sa

from conftest import read_html
from network import ConfigurationError, create_app
from network.extensions import db


def test_production_without_a_secret_key_refuses_to_start(tmp_path, monkeypatch):
    monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("NETWORK_SECRET_KEY", raising=False)
    monkeypatch.delenv("NETWORK_ENV", raising=False)
    with pytest.raises(ConfigurationError, match="NETWORK_SECRET_KEY"):
        create_app()


def test_development_keeps_one_generated_key(tmp_path, monkeypatch):
    monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("NETWORK_ENV", "development")
    first = create_app().config["SECRET_KEY"]
    assert len(first) >= 32 and create_app().config["SECRET_KEY"] == first


def test_settings_come_from_instance_config_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text("SECRET_KEY = 'from-file'\nMAIL_SERVER = 'smtp.file.example'\n")
    monkeypatch.setenv("NETWORK_MAIL_SERVER", "smtp.env.example")
    monkeypatch.setenv("NETWORK_MAIL_PORT", "2525")
    monkeypatch.setenv("NETWORK_DATABASE_URL", "postgresql://u:p@db.example/network")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["MAIL_SERVER"] == "smtp.env.example"
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/network"
    assert app.config["UPLOAD_FOLDER"] == str(tmp_path / "uploads")


def test_secure_cookies_setting_marks_cookies_secure(tmp_path, monkeypatch):
    monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SECRET_KEY": "k", "SECURE_COOKIES": True})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.skipif(bool(__import__("os").environ.get("NETWORK_TEST_POSTGRES_URL")), reason="SQLite only")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1


def test_unknown_page_is_a_friendly_404_with_headers(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = read_html(response)
    assert page.h1.get_text() == "Page not found"
    assert page.find("a", href="/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_server_error_is_a_friendly_500(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("boom")

    # The home page breaks (the app is shared by the tests of this process: no new route can be added).
    home, _arguments = app.url_map.bind("localhost").match("/")
    monkeypatch.setitem(app.view_functions, home, boom)
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
    assert "boom" not in response.get_data(as_text=True)


def test_every_page_links_only_local_assets(client):
    page = read_html(client.get("/"))
    for tag, attribute in (("link", "href"), ("script", "src"), ("img", "src")):
        for element in page.find_all(tag):
            assert element[attribute].startswith("/"), element
    stylesheet = client.get(page.find("link", rel="stylesheet")["href"])
    assert stylesheet.status_code == 200 and b".skip-link" in stylesheet.data
    stylesheet.close()


def test_pages_have_landmarks_a_skip_link_and_one_h1(client):
    for url in ("/", "/login", "/register", "/institutions/", "/partnerships/", "/reset-password"):
        page = read_html(client.get(url))
        assert page.html["lang"] == "en"
        assert page.find("main", id="main") and page.find("nav") and page.find("header")
        assert page.find("a", class_="skip-link")["href"] == "#main"
        assert len(page.find_all("h1")) == 1, url
        for field in page.select("input:not([type=hidden]):not([type=submit]), select, textarea"):
            assert page.find("label", attrs={"for": field["id"]}), (url, field)
