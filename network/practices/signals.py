"""What practices tell the other features (blinker signals: the names are the contract)."""
from blinker import Namespace

_signals = Namespace()

# sender: the Practice, about to be deleted; actor=the person deleting it. Sent inside the deletion's
# transaction, before the practice's row goes: what holds it (a collection's items, which the database deletes
# with it) can still be found, and what a receiver changes commits with the deletion or not at all.
practice_deleted = _signals.signal("practice-deleted")

# sender: the Practice shown on its page; viewer=the person looking. Each receiver returns a panel of HTML (a
# template it rendered) or None; the page shows the panels, in order, after the practice's text.
practice_page = _signals.signal("practice-page")
