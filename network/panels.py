"""Pages that show something of a higher feature: the institution page its practices, a practice's or an
essay's page the collections holding it. The page's feature sends its page signal (its signals.py) and the
higher feature's receiver, connected in its init_app, returns the panel, so the lower one imports nothing of it.
"""
from __future__ import annotations

from blinker import Signal
from markupsafe import Markup


def panels(signal: Signal, sender, **kwargs) -> list[Markup]:
    """The panels the receivers return, in the order they were connected; None or "" shows nothing.

    A receiver returns HTML it rendered from a template (autoescaped there), so it is shown as it is."""
    return [Markup(html) for _receiver, html in signal.send(sender, **kwargs) if html]
