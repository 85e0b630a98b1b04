"""What essays tell the other features (blinker signals: the names are the contract)."""
from blinker import Namespace

_signals = Namespace()

# sender: the Essay shown on its page; viewer=the person looking. Each receiver returns a panel of HTML (a
# template it rendered) or None; the page shows the panels, in order, after the essay's text (collections: the
# collections holding it, and the form to add it to one).
essay_page = _signals.signal("essay-page")
