"""Several processes and a crash: the outbox makes the index catch up, whoever drains it and whenever."""
import signal
import threading
import time

from sqlalchemy import select

from conftest import practice_data
from network.auth.models import SITE_ADMIN
from network.extensions import db
from network.practices import services as practices
from network.practices.models import Practice
from network.search import cli, sync
from network.search.backend import SearchIndex
from network.search.models import SearchOutbox
from search_helpers import run_python, search, start_python, titles

CREATE_THEN_DIE = """
import os, signal, sys
from network.practices import services as practices
from network.search import sync
from network.search.backend import SearchIndex

practices.create_practice(None, practices.PracticeData(
    title="Hornbeam crash survivors", summary="Committed just before the process died.", context="C.",
    target_group="T.", methods="M.", outcomes="O.", sectors=["social"], country="ES", language="en",
    institution=sys.argv[1], status="published"))
print("committed", flush=True)

def die(*args, **kwargs):  # the first index write: the process dies between commit and index
    os.kill(os.getpid(), signal.SIGKILL)

SearchIndex.write = die
sync.drain()
print("not reached", flush=True)
"""

DRAIN_UNTIL_TOLD = """
import sys, time
from pathlib import Path
from network.search import sync

stop, rounds = Path(sys.argv[1]), 0
print("ready", flush=True)
while True:
    stopping = stop.exists()
    sync.drain_all()  # after the stop file appeared: one last full drain
    rounds += 1
    if stopping:
        break
    time.sleep(0.01)
print("rounds", rounds, flush=True)
"""


def test_a_change_committed_just_before_a_crash_reaches_the_index(app, make_institution):
    owner = make_institution(name="Crash Centre")
    sync.drain_all()  # the index exists; the outbox is empty

    child = run_python(app, CREATE_THEN_DIE, owner.slug)

    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "committed" in child.stdout and "not reached" not in child.stdout
    db.session.rollback()  # a fresh transaction sees the child's commit
    practice = db.session.scalar(select(Practice).where(Practice.title == "Hornbeam crash survivors"))
    assert practice is not None
    queued = db.session.scalars(select(SearchOutbox.doc_id).where(SearchOutbox.doc_type == "practice")).all()
    assert queued == [practice.id]
    assert search(q="hornbeam").total == 0

    sync.drain_all()  # what the indexer does when the platform next starts

    assert titles(search(q="hornbeam")) == ["Hornbeam crash survivors"]
    assert cli.check().ok, cli.check()


def test_two_processes_draining_at_once_lose_nothing(app, make_institution, make_user, tmp_path):
    owner = make_institution(name="Busy Centre")
    sync.drain_all()
    stop = tmp_path / "stop-draining"
    drainers = [start_python(app, DRAIN_UNTIL_TOLD, str(stop)) for _ in range(2)]
    try:
        for drainer in drainers:
            assert drainer.stdout.readline().strip() == "ready"  # both are draining from here on
        created = []
        for n in range(16):
            created.append(practices.create_practice(None, practice_data(
                owner, title=f"Hornbeam hedge {n}", language="en", status="published" if n % 3 else "draft")))
            time.sleep(0.02)  # let the drainers interleave with the writes
        # Let them catch up before changing two of them: a change to a document still in a batch being
        # drained is the lost-update race of test_a_slow_drain_does_not_overwrite_a_newer_version.
        for _ in range(600):
            db.session.rollback()
            if sync.pending_count() == 0:
                break
            time.sleep(0.05)
        practices.update_practice(None, created[0], practice_data(owner, title="Hornbeam hedge renamed",
                                                                  language="en"))
        practices.delete_practice(None, created[1])
    finally:
        stop.touch()
        outputs = [drainer.communicate(timeout=180) for drainer in drainers]

    for drainer, (stdout, stderr) in zip(drainers, outputs):
        assert drainer.returncode == 0, stderr
        assert "Traceback" not in stderr and stdout.startswith("rounds"), stderr
    db.session.rollback()
    assert sync.pending_count() == 0
    assert cli.check().ok, cli.check()  # nothing missing, nothing left over
    found = titles(search(make_user(SITE_ADMIN), q="hornbeam", per_page=50))
    assert len(found) == 15
    assert "Hornbeam hedge renamed" in found
    assert "Hornbeam hedge 0" not in found and "Hornbeam hedge 1" not in found


def test_a_slow_drain_does_not_overwrite_a_newer_version(app, make_institution):
    """Two drains at once: the one that read the outbox first must not write its older copy last."""
    owner = make_institution(name="Race Centre")
    practice = practices.create_practice(None, practice_data(owner, title="Hornbeam first title",
                                                             language="en"))
    loaded, release = threading.Event(), threading.Event()
    real_write = SearchIndex.write
    main = threading.current_thread()

    def slow_write(self, *args, **kwargs):
        if threading.current_thread() is not main:
            loaded.set()  # it has read the outbox and loaded the first version...
            release.wait(30)  # ...and is slow to write it
        return real_write(self, *args, **kwargs)

    def slow_drainer():
        with app.app_context():
            sync.drain()
            db.session.remove()

    SearchIndex.write = slow_write
    try:
        thread = threading.Thread(target=slow_drainer)
        thread.start()
        assert loaded.wait(30)
        practices.update_practice(None, practice, practice_data(owner, title="Hornbeam second title",
                                                                language="en"))
        sync.drain_all()  # a second drainer, quick
        release.set()
        thread.join(30)
    finally:
        release.set()
        SearchIndex.write = real_write

    assert sync.drain_all() == 0
    assert titles(search(q="hornbeam")) == ["Hornbeam second title"]

