"""The matching proposal reads a partnership in a fixed number of queries, whatever its size (issue 24)."""
from __future__ import annotations

from sqlalchemy import event

from mobility_helpers import W1, W2, W3, offer_data, week
from network.extensions import db
from network.mobility import services as mobility


def queries_of(function, *args) -> tuple[int, object]:
    seen = []

    def count(*_):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = function(*args)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen), result


def test_proposal_reads_the_partnership_in_a_fixed_number_of_queries(exchange, make_applicant):
    make_applicant(preferred_hosts=[exchange.seville.id], weeks=[week(W1)], interests=["attachment"])
    db.session.expire_all()
    few, proposal = queries_of(mobility.propose_matching, exchange.partnership)
    assert len(proposal.matches) == 1

    # Three more applicants (one from a host institution), a third offer, a visit already proposed.
    for institution, hosts in ((exchange.sender, [exchange.seville.id, exchange.arad.id]),
                               (exchange.sender, [exchange.arad.id]), (exchange.arad, [exchange.seville.id])):
        make_applicant(institution=institution, preferred_hosts=hosts, weeks=[week(W1), week(W2)],
                       interests=["attachment", "community work"])
    mobility.save_offer(exchange.sender_admin, exchange.partnership, exchange.sender, offer_data(
        languages=["fi", "en"], approaches=["attachment"], weeks={week(W1): 1, week(W2): 2}))
    placed = make_applicant(preferred_hosts=[exchange.arad.id], weeks=[week(W2)])
    accepted = mobility.accept_matches(exchange.coordinator, exchange.partnership,
                                       [(placed.id, exchange.arad_offer.id, W2)])
    assert len(accepted.created) == 1
    db.session.expire_all()
    many, proposal = queries_of(mobility.propose_matching, exchange.partnership)

    assert many == few
    assert len(proposal.matches) == 4  # Arad's place in W2 is taken: W1 there, Seville W1, Helsinki W1 and W2
    assert placed.id not in {m.application_id for m in proposal.matches + proposal.unplaced}


def test_bulk_inputs_are_those_read_one_by_one(exchange, make_applicant):
    # The solver's values read in bulk for the proposal, and one application or offer at a time for a manual
    # assignment's rules (_solver_applicant, _solver_offer): the same, visits and quota counted.
    make_applicant(preferred_hosts=[exchange.arad.id, exchange.seville.id], weeks=[week(W1), week(W2)],
                   interests=["attachment", "community work"], languages=["EN", "fi"])
    make_applicant(institution=exchange.arad, preferred_hosts=[], weeks=[week(W3)], interests=[])
    placed = make_applicant(preferred_hosts=[exchange.arad.id], weeks=[week(W2)])
    mobility.accept_matches(exchange.coordinator, exchange.partnership, [(placed.id, exchange.arad_offer.id, W2)])
    mobility.save_offer(exchange.sender_admin, exchange.partnership, exchange.sender, offer_data(
        languages=["fi"], approaches=[], weeks={week(W1): 0, week(W2): 2}))
    db.session.expire_all()

    applicants, offers = mobility._solver_inputs(exchange.partnership)

    assert sorted(applicants, key=lambda a: a.application_id) == [
        mobility._solver_applicant(a) for a in mobility.unplaced_applications(exchange.partnership)]
    assert sorted(offers, key=lambda o: o.offer_id) == sorted(
        (mobility._solver_offer(o) for o in mobility.offers_in(exchange.partnership)), key=lambda o: o.offer_id)
    arad = next(o for o in offers if o.offer_id == exchange.arad_offer.id)
    assert arad.capacity[W2] == 0 and arad.quota_left == 5
    assert len(applicants) == 2 and placed.id not in {a.application_id for a in applicants}
