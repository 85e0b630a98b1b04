"""The job runner: one Huey (the only module importing huey) per app, and the jobs the features register on it.

A feature declares a job with @task or @periodic_task in its tasks.py and registers it from its init_app
(register_jobs). Calling a job queues it on the current app's runner; a worker (`flask --app network jobs
worker`) runs it in the app's context, with a database session of its own that is removed afterwards. A job
that raises is tried again after its delay; once its last try fails it is reported: logged at ERROR and kept
in job_failures (the admins' page /admin/jobs, `flask jobs failures`).

Where the queue lives (JOBS, NETWORK_JOBS): None, a SQLite file in the instance folder (instance/jobs.sqlite3;
no server needed); "sqlite:////path/file.sqlite3"; "redis://host:6379/0" (production, the redis extra); or
"immediate": every job runs at once in the caller, as the tests have it (None means that too when testing).
"""
from __future__ import annotations

import functools
import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.signals import SIGNAL_ERROR

from network.extensions import db

log = logging.getLogger("network.jobs")

QUEUE_NAME = "peer-network"
IMMEDIATE = "immediate"
DEFAULT_RETRIES = 3
DEFAULT_RETRY_DELAY = 60  # seconds between two tries of a job that failed
ARGUMENTS_MAX, ERROR_MAX, TRACEBACK_MAX = 500, 1000, 10_000


@dataclass(frozen=True, eq=False)
class Job:
    """A function that runs in the background. Calling the job queues it on the current app's runner (under
    "immediate" it runs before the call returns); .schedule() queues it for later; .call_local() runs it here.

    describe(*args, **kwargs) says what one call is about, for the failure report (default: its arguments);
    a job whose arguments hold a message's text or other private words describes itself without them."""

    func: Callable
    retries: int = DEFAULT_RETRIES
    retry_delay: int = DEFAULT_RETRY_DELAY
    cron: dict | None = None  # periodic: crontab's fields (minute, hour, day, month, day_of_week), in UTC
    describe: Callable[..., str] | None = None

    @property
    def name(self) -> str:
        return f"{self.func.__module__}.{self.func.__name__}"

    @property
    def schedule_text(self) -> str:
        """The periodic schedule in cron's notation ("0 6 * * *"), "" for a job that runs when queued."""
        if not self.cron:
            return ""
        return " ".join(str(self.cron[key]) for key in ("minute", "hour", "day", "month", "day_of_week"))

    def __call__(self, *args, **kwargs) -> None:
        runner_of(current_app).enqueue(self, args, kwargs)

    def schedule(self, args: tuple = (), kwargs: dict | None = None, *, eta: datetime | None = None,
                 delay: float | timedelta | None = None) -> None:
        """Queue it to run at eta (an aware datetime) or after delay (seconds or a timedelta)."""
        runner_of(current_app).schedule(self, args, kwargs, eta=eta, delay=delay)

    def call_local(self, *args, **kwargs):
        return self.func(*args, **kwargs)

    def description(self, args: tuple, kwargs: dict) -> str:
        if self.describe is not None:
            try:
                return str(self.describe(*args, **kwargs))[:ARGUMENTS_MAX]
            except Exception:  # a describe() that does not fit the call must not hide the failure itself
                log.exception("Could not describe a call of %s", self.name)
        parts = [repr(value) for value in args] + [f"{key}={value!r}" for key, value in kwargs.items()]
        return ", ".join(parts)[:ARGUMENTS_MAX]


def task(retries: int = DEFAULT_RETRIES, retry_delay: int = DEFAULT_RETRY_DELAY,
         describe: Callable[..., str] | None = None) -> Callable[[Callable], Job]:
    """Declare a job that runs when queued (register it with register_jobs in the feature's init_app)."""
    return lambda func: Job(func, retries, retry_delay, None, describe)


def periodic_task(*, minute: str = "0", hour: str = "*", day: str = "*", month: str = "*",
                  day_of_week: str = "*", retries: int = DEFAULT_RETRIES,
                  retry_delay: int = DEFAULT_RETRY_DELAY) -> Callable[[Callable], Job]:
    """Declare a job the worker queues by itself on a cron-like schedule, in UTC (it takes no arguments)."""
    cron = {"minute": minute, "hour": hour, "day": day, "month": month, "day_of_week": day_of_week}
    crontab(strict=True, **cron)  # a mistyped schedule fails when the module loads, not at 6 a.m.
    return lambda func: Job(func, retries, retry_delay, cron)


def _naive_utc(moment: datetime | None) -> datetime:
    """Huey keeps UTC times without their zone."""
    moment = moment or datetime.now(timezone.utc)
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def parse_setting(app: Flask, setting: str | None) -> tuple[str, str]:
    """JOBS -> (kind, where): ("immediate", ""), ("sqlite", file) or ("redis", url). ValueError if unknown."""
    value = (setting or "").strip()
    if not value:
        if app.testing:
            return IMMEDIATE, ""
        return "sqlite", str(Path(app.instance_path) / "jobs.sqlite3")
    if value == IMMEDIATE:
        return IMMEDIATE, ""
    if value.startswith("sqlite:///") and len(value) > len("sqlite:///"):
        return "sqlite", value[len("sqlite:///"):]
    if value.startswith(("redis://", "rediss://", "unix://")):
        return "redis", value
    raise ValueError(f"JOBS (NETWORK_JOBS) must be empty (a SQLite file in the instance folder), "
                     f"'sqlite:////path/jobs.sqlite3', 'redis://host:6379/0' or 'immediate', not {value!r}")


@dataclass(eq=False)
class Runner:
    """The app's queue: its Huey, made on first use (no file is created and no server is reached before),
    and the jobs registered on it."""

    app: Flask
    kind: str
    where: str
    jobs: dict[str, Job] = field(default_factory=dict)
    _huey: Huey | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def for_setting(cls, app: Flask, setting: str | None, jobs: Iterable[Job] = ()) -> Runner:
        kind, where = parse_setting(app, setting)
        runner = cls(app, kind, where)
        runner.add(*jobs)
        return runner

    def on_storage(self, setting: str) -> Runner:
        """Another runner of the same app and jobs on other storage (a test's "restarted process")."""
        return Runner.for_setting(self.app, setting, self.jobs.values())

    @property
    def immediate(self) -> bool:
        return self.kind == IMMEDIATE

    def describe(self) -> str:
        return {IMMEDIATE: "immediate (in the caller)", "sqlite": f"SQLite {self.where}"}.get(
            self.kind, f"Redis {self.where.split('@')[-1]}")  # never the password of a redis://user:pw@ URL

    # --- registration ------------------------------------------------------------------------------

    def add(self, *jobs: Job) -> None:
        with self._lock:
            for job in jobs:
                known = self.jobs.get(job.name)
                if known is job:
                    continue
                if known is not None:
                    raise ValueError(f"two jobs are named {job.name}")
                self.jobs[job.name] = job
                if self._huey is not None:
                    self._register(self._huey, job)

    def periodic_jobs(self) -> list[Job]:
        return sorted((job for job in self.jobs.values() if job.cron), key=lambda job: job.name)

    @property
    def huey(self) -> Huey:
        with self._lock:
            if self._huey is None:
                self._huey = self._make()
                self._huey.signal(SIGNAL_ERROR)(self._failed)
                for job in self.jobs.values():
                    self._register(self._huey, job)
            return self._huey

    def _make(self) -> Huey:
        # results=False: nothing waits for a job's return value, so none is stored.
        if self.kind == IMMEDIATE:
            return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
        if self.kind == "redis":
            try:
                import redis  # noqa: F401  (only to say how to install it)
            except ImportError as error:
                raise RuntimeError("NETWORK_JOBS is a Redis URL but the Redis client is not installed: "
                                   "pip install -e '.[redis]'") from error
            return RedisHuey(QUEUE_NAME, url=self.where, results=False)
        Path(self.where).parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=self.where, results=False)

    def _register(self, huey: Huey, job: Job) -> None:
        app, func = self.app, job.func

        @functools.wraps(func)  # the same module and name: Huey's registry knows the job as job.name
        def in_app_context(*args, **kwargs):
            with app.app_context():
                try:
                    return func(*args, **kwargs)
                finally:
                    db.session.remove()

        if job.cron:
            huey.periodic_task(crontab(**job.cron), retries=job.retries, retry_delay=job.retry_delay)(
                in_app_context)
        else:
            huey.task(retries=job.retries, retry_delay=job.retry_delay)(in_app_context)

    def _task_class(self, job: Job):
        huey = self.huey
        if self.jobs.get(job.name) is not job:
            raise LookupError(f"the job {job.name} is not registered: register_jobs(app, ...) in its feature's "
                              "init_app")
        return huey._registry.string_to_task(job.name)

    # --- queueing and running ----------------------------------------------------------------------

    def enqueue(self, job: Job, args: tuple = (), kwargs: dict | None = None) -> None:
        self.huey.enqueue(self._task_class(job)(tuple(args), dict(kwargs or {})))

    def schedule(self, job: Job, args: tuple = (), kwargs: dict | None = None, *, eta: datetime | None = None,
                 delay: float | timedelta | None = None) -> None:
        if (eta is None) == (delay is None):
            raise ValueError("schedule() takes an eta or a delay")
        if delay is not None:
            seconds = delay.total_seconds() if isinstance(delay, timedelta) else float(delay)
            eta = datetime.now(timezone.utc) + timedelta(seconds=seconds)
        self.huey.enqueue(self._task_class(job)(tuple(args), dict(kwargs or {}), eta=_naive_utc(eta)))

    def run_due(self, now: datetime | None = None, periodic: bool = False) -> int:
        """Once, what the worker's scheduler and one of its threads do: move the jobs due by `now` from the
        schedule to the queue (with periodic, also the periodic jobs whose minute `now` is), then run everything
        queued. Returns how many ran (tests; `flask jobs run`)."""
        huey, moment = self.huey, _naive_utc(now)
        for queued in huey.read_schedule(moment) + (huey.read_periodic(moment) if periodic else []):
            huey.enqueue(queued)
        ran = 0
        while (queued := huey.dequeue()) is not None:
            ran += huey.ready_to_run(queued, moment)  # one queued for later goes to the schedule instead
            huey.execute(queued, moment)
        return ran

    def counts(self) -> dict[str, int]:
        """Jobs waiting in the queue, and jobs scheduled for later (retries among them; a job queued with an
        eta waits in the queue until a worker moves it to the schedule)."""
        return {"queued": self.huey.pending_count(), "scheduled": self.huey.scheduled_count()}

    def consumer(self, workers: int):
        """Huey's consumer for this runner: `workers` threads, the schedule and the periodic jobs."""
        return self.huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                         check_worker_health=True)

    # --- failures ----------------------------------------------------------------------------------

    def _failed(self, _signal, failed_task, error: BaseException) -> None:
        """Huey's SIGNAL_ERROR: a try of a job raised. With tries left Huey queues it again after its delay;
        after the last one the failure is reported."""
        job = self.jobs.get(f"{type(failed_task).__module__}.{type(failed_task).__name__}")
        name = job.name if job else type(failed_task).__name__
        if failed_task.retries:
            log.warning("Job %s failed (%s: %s); %d more tries", name, type(error).__name__, error,
                        failed_task.retries)
            return
        attempts = job.retries + 1 if job else 1
        arguments = job.description(failed_task.args, failed_task.kwargs) if job else ""
        message = f"{type(error).__name__}: {error}"[:ERROR_MAX]
        log.error("Job %s (%s) failed for good after %d tries: %s", name, arguments, attempts, message)
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        try:
            with self.app.app_context():
                from network.jobs import services

                try:
                    services.record_failure(name, arguments, message, details[-TRACEBACK_MAX:], attempts)
                finally:
                    db.session.remove()
        except Exception:
            log.exception("Could not record the failure of job %s", name)


def runner_of(app: Flask) -> Runner:
    try:
        return app.extensions["jobs"]
    except KeyError:
        raise RuntimeError("network.jobs is not set up: it must be in network.FEATURES") from None


def register_jobs(app: Flask, *jobs: Job) -> None:
    """A feature's plug registers its jobs here; the worker knows only these."""
    runner_of(app).add(*jobs)
