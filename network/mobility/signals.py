"""What mobility tells the other features (blinker signals: the names are the contract). A receiver runs inside
the transaction of the change and may return emails to send once it has committed."""
from blinker import Namespace

_signals = Namespace()

# sender: the Visit, completed (or recorded as having taken place); actor=the person who did it.
visit_completed = _signals.signal("visit-completed")

# sender: the owner of a secret calendar feed (/mobility/calendar/<token>.ics) as it is read: a User for a person's
# feed, an Institution for an institution's; kind="user" or "institution". Each receiver returns the icalendar
# components (VEVENTs) a higher feature adds to that feed, or an empty list; times may carry a TZID (the feed adds
# the VTIMEZONEs). Events: the events the person is registered for (their approved registrations).
calendar_feed_entries = _signals.signal("calendar-feed-entries")

# sender: the Visit shown on its page; viewer=the person looking. Each receiver returns a panel of HTML (a template
# it rendered) or None; the page shows the panels, in order, after the programme (evaluation: the visitor's sessions
# back home, and the form to record one).
visit_page = _signals.signal("visit-page")

# sender: the Partnership whose mobility dashboard is shown; viewer=the person looking. Each receiver returns a panel
# of HTML or None; the dashboard shows the panels, in order, after its figures (evaluation: the indicators against
# the partnership's targets, and the sessions back home).
dashboard_page = _signals.signal("dashboard-page")
