"""What institutions tell the other features (blinker signals: the names are the contract)."""
from blinker import Namespace

_signals = Namespace()

# sender: the Institution shown on its page; viewer=the person looking. Each receiver returns a panel of HTML
# (a template it rendered) or None; the page shows the panels, in order, between its description and its
# partnerships (practices: the institution's newest practices).
institution_page = _signals.signal("institution-page")

# sender: the Partnership shown on its page; viewer=the person looking (maybe anonymous). Each receiver returns a
# panel of HTML or None; the page shows the panels, in order, after the partners (evaluation: the final report's
# versions, and the surveys and indicators for those who run them).
partnership_page = _signals.signal("partnership-page")
