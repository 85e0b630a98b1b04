"""Essays in search: published ones for members; the others only for their author and the reviewers."""
import pytest

from essays_helpers import record_training, written
from network.auth.models import EVALUATOR
from network.essays import services as essays
from network.search import sync
from search_helpers import search


@pytest.fixture
def people(exchange, make_user, make_institution):
    return {"author": make_user(institution=exchange.sender, name="Aino Author"),
            "colleague": make_user(institution=exchange.sender),
            "member": make_user(institution=exchange.arad),
            "evaluator": make_user(EVALUATOR, institution=make_institution(name="Evaluation Unit"))}


def found(user, q):
    return {hit.doc_id for hit in search(user, q=q, type="essay", per_page=50).hits}


def test_who_finds_which_essay(exchange, people):
    event = record_training(exchange, [people["author"], people["colleague"]])
    published = written(people["author"], event, status="published", reviewer=people["evaluator"],
                        title="Grandparents as allies", body="Grandparents joined the evening groups.")
    submitted = written(people["colleague"], event, title="Grandparents and schools",
                        body="Grandparents at the school gate.")
    sync.drain_all()

    assert found(people["member"], "grandparents") == {published.id}
    assert found(people["author"], "grandparents") == {published.id}
    assert found(people["colleague"], "grandparents") == {published.id, submitted.id}  # their own
    assert found(people["evaluator"], "grandparents") == {published.id, submitted.id}
    assert found(exchange.coordinator, "grandparents") == {published.id, submitted.id}
    assert found(None, "grandparents") == set()

    essays.set_display(people["author"], published, "private")
    sync.drain_all()
    assert found(people["member"], "grandparents") == set()
    assert found(people["author"], "grandparents") == {published.id}


def test_a_draft_is_not_indexed_and_the_author_name_is_not_searchable(exchange, people):
    event = record_training(exchange, [people["author"]])
    draft = written(people["author"], event, status="draft", title="Unfinished thoughts on grandparents")
    sync.drain_all()
    assert found(people["author"], "unfinished") == set()
    essays.submit_essay(people["author"], draft, essays.essay_data_of(draft))
    sync.drain_all()
    assert found(people["evaluator"], "unfinished") == {draft.id}
    assert found(people["evaluator"], "Aino") == set()
