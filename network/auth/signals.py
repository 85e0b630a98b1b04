"""What accounts tell the other features (blinker signals: the names are the contract). Both are sent once the
change has committed: a receiver sees the state after it, and does what must follow outside the database
(a cache, a file, an outside service), committing itself anything it writes."""
from blinker import Namespace

_signals = Namespace()

# sender: the User whose roles or membership changed (network.auth.services.set_roles, decide_membership);
# actor=the person who changed them. What the person may see follows from user.roles, membership_status and
# institution_id, read when it is needed: search grants, permissions and the anonymous page cache need
# nothing more, so no feature receives it yet. A feature that keeps anything per person (a cache of what they
# may see) connects here.
roles_changed = _signals.signal("roles-changed")

# sender: the id the account had (its row is gone); name, email=what it was called. Sent by delete_account
# after the erasers (network.auth.services.register_data_eraser) ran and the deletion committed: what the
# database held is dealt with there, in the same transaction (the search documents naming the person are
# queued by their types' watch on User). A receiver forgets the person where the database does not reach.
user_erased = _signals.signal("user-erased")
