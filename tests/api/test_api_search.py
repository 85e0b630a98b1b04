"""GET /api/v1/search: the search page's results as JSON, with the caller's permissions."""
from network.search import sync


def test_search_returns_ranked_results_facets_and_a_suggestion(client, users, make_practice):
    home = users["professional"].institution
    make_practice(home, title="Grupos interfamiliares", language="es", summary="Las familias se reúnen.")
    make_practice(home, title="Hidden draft about familias", status="draft")
    sync.drain_all()
    body = client.get("/api/v1/search?q=familias&type=practice").json
    assert set(body) == {"items", "total", "page", "per_page", "total_is_estimate", "facets", "suggestion"}
    assert body["total_is_estimate"] is False
    assert body["total"] == 1 and body["items"][0]["title"] == "Grupos interfamiliares"
    hit = body["items"][0]
    assert hit["type"] == "practice" and hit["url"].endswith(f"/practices/{hit['id']}")
    assert "<mark>" in hit["snippet"] and hit["score"] > 0
    assert body["facets"]["type"] == {"practice": 1}  # the draft is counted for nobody who may not see it


def test_search_parameters_are_checked(client):
    assert client.get("/api/v1/search?q=x&page=0").status_code == 400
    assert client.get("/api/v1/search?q=x&per_page=1000").json["per_page"] == 100
    assert client.get("/api/v1/search?q=" + "\"*" * 3000).status_code == 200
