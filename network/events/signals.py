"""What events tell the other features (blinker signals: the names are the contract)."""
from blinker import Namespace

_signals = Namespace()

# sender: the Event shown on its page; viewer=the person looking. Each receiver returns a panel of HTML (a
# template it rendered) or None; the page shows the panels, in order, after the programme (essays: once the
# event is over, the essays written for it that the viewer may read).
event_page = _signals.signal("event-page")
