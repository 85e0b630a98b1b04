"""The author's notifications about their essay (published, returned) are kept as their message and values, and
read in the language the author reads now, not the one they read when it was written."""
from __future__ import annotations

from conftest import read_html
from essays_helpers import record_training, written
from network.auth import services as accounts
from network.auth.models import EVALUATOR
from network.extensions import db
from network.notifications.models import Notification


def test_published_and_returned_are_read_in_the_author_s_language_of_now(client, auth, exchange, make_user,
                                                                           make_institution):
    author = make_user(institution=exchange.sender)
    evaluator = make_user(EVALUATOR, institution=make_institution(name="Evaluation Unit"))
    essay = written(author, record_training(exchange, [author]), "published", reviewer=evaluator, title="Grupos")
    note = db.session.scalar(db.select(Notification).where(Notification.user_id == author.id,
                                                           Notification.link == f"/essays/{essay.id}"))
    assert note.message_id == "Your essay “%(title)s” is published." and note.params == {"title": "Grupos"}
    assert note.message == "Your essay “Grupos” is published."  # in the language the author read then

    accounts.set_locale(author, "fr")
    auth.login(author)
    shown = read_html(client.get("/notifications")).find("main").get_text(" ", strip=True)
    assert "Votre essai «\u00a0Grupos\u00a0» est publié." in shown and "is published" not in shown
