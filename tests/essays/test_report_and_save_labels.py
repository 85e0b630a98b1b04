"""The evaluation report tells every bar apart (two events of one name, two long names alike at the start), and
the editor's "Last saved" writes its date as every other date of the page, from the server and from the autosave."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import format_date

from conftest import read_html
from essays_helpers import record_training, written
from network.auth.models import EVALUATOR
from network.essays.views import short_labels


def login(client, person):
    client.post("/logout")
    assert client.post("/login", data={"email": person.email, "password": "correct horse battery"}).status_code == 302


def test_the_report_tells_apart_events_of_one_name_and_names_alike_at_the_start(client, exchange, make_user,
                                                                                  make_institution):
    people = [make_user(institution=exchange.sender) for _ in range(4)]
    evaluator = make_user(EVALUATOR, institution=make_institution(name="Evaluation Unit"))
    spring = record_training(exchange, people[:1], title="Family group conferencing")
    autumn = record_training(exchange, people[1:2], title="Family group conferencing",
                             start_date=date(2026, 10, 5), end_date=date(2026, 10, 6))
    alfa = record_training(exchange, people[2:3], title="Job-shadowing visit at Asociación de Familias Alfa")
    beta = record_training(exchange, people[3:4], title="Job-shadowing visit at Asociación de Familias Beta")
    for person, event in zip(people, (spring, autumn, alfa, beta)):
        written(person, event, "published", reviewer=evaluator)

    login(client, evaluator)
    page = read_html(client.get(f"/essays/report/{exchange.partnership.id}"))
    rows = [tr.th.get_text() for tr in page.select("#table-events tbody tr")]
    assert len(rows) == len(set(rows)) == 4
    plain = [" ".join(row.replace("\u2009", " ").split()) for row in rows]  # thin spaces around the dash
    assert "Family group conferencing (May 11 – 13, 2026)" in plain
    assert "Family group conferencing (Oct 5 – 6, 2026)" in plain
    drawn = [text.get_text() for text in page.select("#chart-events text.bar-label")]
    assert len(drawn) == len(set(drawn)) == 4, drawn
    assert any(label.endswith("Alfa") for label in drawn) and any(label.endswith("Beta") for label in drawn)
    for bar in page.select("#chart-events g.bar-row"):  # the whole label is the bar's title
        assert bar.title.get_text().rsplit(":", 1)[0] in rows


def test_short_labels_are_cut_but_never_alike():
    assert short_labels(["Short", "x" * 40], 30) == ["Short", "x" * 29 + "…"]
    alike = short_labels(["Same long title of a training event", "Same long title of a training event"], 30)
    assert len(set(alike)) == 2 and all(len(label) <= 30 for label in alike)


def test_last_saved_is_written_like_the_page_s_other_dates(app, client, exchange, make_user):
    author = make_user(institution=exchange.sender)
    event = record_training(exchange, [author])
    essay = written(author, event, "draft")
    login(client, author)
    page = read_html(client.get(f"/essays/{essay.id}/edit"))
    saved = page.find(id="save-status").get_text()
    with app.test_request_context("/"):
        day = format_date(essay.updated_at)  # "Dec 5, 2026", as the event's dates above it
    assert saved.startswith(f"Last saved: {day}, ") and re.search(r"\d{1,2}:\d{2}\s?[AP]M$", saved), saved
    assert "/" not in saved

    token = page.find("input", attrs={"name": "csrf_token"})
    data = {"title": "A title", "body": "Four words typed here", "language": "en", "display": "named"}
    if token is not None:
        data["csrf_token"] = token["value"]
    answer = client.post(f"/essays/{essay.id}/autosave", data=data).get_json()
    assert answer["saved_label"].startswith(f"Last saved: {day}, ") and "/" not in answer["saved_label"]
