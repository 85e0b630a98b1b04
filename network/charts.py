"""Charts drawn on the server as SVG (the self-assessment's results, the evaluation's surveys and indicators): no
script, no external resource, readable with the page's styles off.
Each chart has a <title> and a <desc> and is shown beside a table of the same figures for screen readers."""
from __future__ import annotations

from itertools import count

from markupsafe import Markup, escape

WIDTH, LABEL_HEIGHT, BAR_HEIGHT, GAP, VALUE_SPACE = 640, 20, 18, 14, 150
BAR, TRACK, TEXT, AXIS = "#1d5a8c", "#e4e9ee", "#1a1a1a", "#595959"  # 7.6:1, 3:1 against white and text
_ids = count(1)


def bar_chart(rows, *, maximum: float = 100, title: str, description: str) -> Markup:
    """Horizontal bars, one per row (label, value or None, note): the label above its bar, the value and the
    note after it. A None value draws no bar and says so with its note."""
    number = next(_ids)
    title_id, desc_id = f"chart-{number}-title", f"chart-{number}-desc"
    track = WIDTH - VALUE_SPACE
    row_height = LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = max(1, len(rows)) * row_height + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" viewBox="0 0 {WIDTH} {height}"'
             f' width="100%" aria-labelledby="{title_id} {desc_id}" font-family="sans-serif">',
             f'<title id="{title_id}">{escape(title)}</title>', f'<desc id="{desc_id}">{escape(description)}</desc>']
    for n, (label, value, note) in enumerate(rows):
        top = n * row_height
        bar_top = top + LABEL_HEIGHT
        parts.append(f'<text x="0" y="{top + 15}" font-size="15" fill="{TEXT}">{escape(label)}</text>')
        parts.append(f'<rect x="0" y="{bar_top}" width="{track}" height="{BAR_HEIGHT}" fill="{TRACK}"/>')
        text = escape(note) if note else ""
        if value is not None:
            share = max(0.0, min(float(value) / maximum, 1.0)) if maximum else 0.0
            parts.append(f'<rect x="0" y="{bar_top}" width="{round(track * share, 1)}" height="{BAR_HEIGHT}"'
                         f' fill="{BAR}"/>')
            shown = f"{value:g}" if isinstance(value, float) else str(value)
            text = Markup("{} · {}").format(shown, text) if text else escape(shown)
        parts.append(f'<text x="{track + 8}" y="{bar_top + 14}" font-size="14" fill="{TEXT}">{text}</text>')
    parts.append(f'<line x1="0" y1="0" x2="0" y2="{height - 4}" stroke="{AXIS}" stroke-width="1"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
