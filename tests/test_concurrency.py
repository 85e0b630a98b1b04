"""Several server processes share one SQLite file: concurrent writers wait for each other, none fails."""
import multiprocessing
import os

import pytest
import sqlalchemy as sa

from conftest import BASE_TEST_CONFIG

WRITERS, WRITES_EACH = 4, 40


def _write_attempts(url: str, instance: str, worker: int) -> None:
    os.environ["NETWORK_INSTANCE_PATH"] = instance
    from network import create_app
    from network.auth.models import LoginAttempt
    from network.extensions import db

    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        for n in range(WRITES_EACH):
            db.session.add(LoginAttempt(email=f"w{worker}-{n}@example.org", ip_address="127.0.0.1"))
            db.session.commit()  # one transaction per write: the most lock contention


@pytest.mark.skipif(bool(os.environ.get("NETWORK_TEST_POSTGRES_URL")), reason="SQLite file sharing")
def test_processes_writing_at_once_all_succeed(app, tmp_path):
    from network.extensions import db

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    db.engine.dispose()
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_write_attempts, args=(url, str(tmp_path / "instance"), worker))
        for worker in range(WRITERS)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
    assert [process.exitcode for process in processes] == [0] * WRITERS
    with db.engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM login_attempts")).scalar()
    assert count == WRITERS * WRITES_EACH
