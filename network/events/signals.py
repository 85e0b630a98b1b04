"""What events tell the other features (blinker signals: the names are the contract)."""
from blinker import Namespace

_signals = Namespace()

# sender: the Event shown on its page; viewer=the person looking. Each receiver returns a panel of HTML (a
# template it rendered) or None; the page shows the panels, in order, after the programme (essays: once the
# event is over, the essays written for it that the viewer may read).
event_page = _signals.signal("event-page")

# sender: an Event (not a job-shadowing visit: mobility's visit_completed covers those) that is over;
# participants=the people it is over for; actor=who caused it (None: the daily job). Sent in the transaction,
# once per event by the daily job the morning after its last day (services.end_events, with all who attended),
# and again when the organisers add people to its attendance after that (with those people only). Each receiver
# may return emails to send after the commit (essays: the participants are asked for their essay).
event_ended = _signals.signal("event-ended")
