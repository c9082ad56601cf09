"""Words of the meetings (Swedish first, English with ``lang="en"``)."""

from __future__ import annotations

from dashboard.i18n import _, fmt_value

# The group's assessment: a shape and a word (never colour alone), and not the computed
# status's symbols (✔ ▲ ✖), so that the two are never taken for one another.
ASSESSMENT = {"on_track": "●", "at_risk": "◆", "off_track": "■"}
ASSESSMENT_COLOURS = {"on_track": "#00734F", "at_risk": "#8A5A00", "off_track": "#B84A00"}

FIELDS = ("title", "attendees", "comment", "text", "action", "owner", "by", "date", "due")


def field_name(name: str, lang: str) -> str:
    return _(f"meetings.field.{name}", lang) if name in FIELDS else name


def assessment_word(assessment: str, lang: str = "sv") -> str:
    return _(f"meetings.assessment.{assessment}", lang)


def assessment_label(assessment: str, lang: str = "sv") -> str:
    """``● I fas``: shape and word."""
    return f"{ASSESSMENT[assessment]} {assessment_word(assessment, lang)}"


def revised_note(then, now, lang: str) -> str:
    """``reviderad sedan mötet: 37 → 39``: a closed meeting's figure the data has revised."""
    return _("meetings.revised", lang, then=fmt_value(then.value, then.unit, lang),
              now=fmt_value(now.value, now.unit, lang))
