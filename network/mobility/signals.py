"""What mobility tells the other features (blinker signals: the names are the contract). A receiver runs inside
the transaction of the change and may return emails to send once it has committed."""
from blinker import Namespace

_signals = Namespace()

# sender: the Visit, completed (or recorded as having taken place); actor=the person who did it.
visit_completed = _signals.signal("visit-completed")
