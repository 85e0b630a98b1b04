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
