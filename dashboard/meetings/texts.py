"""Words of the meetings (Swedish first, English with ``lang="en"``)."""

from __future__ import annotations

from dashboard.i18n import words

# The group's assessment: a shape and a word (never colour alone), and not the computed
# status's symbols (✔ ▲ ✖), so that the two are never taken for one another.
ASSESSMENT = {
    "on_track": ("●", "I fas", "On track"),
    "at_risk": ("◆", "Risk", "At risk"),
    "off_track": ("■", "Ur fas", "Off track"),
}
ASSESSMENT_COLOURS = {"on_track": "#00734F", "at_risk": "#8A5A00", "off_track": "#B84A00"}

TEXT: dict[str, tuple[str, str]] = {
    # pages
    "meetings": ("Möten", "Meetings"),
    "meetings_of": ("Styrgruppens möten", "Steering group meetings"),
    "meeting": ("Möte", "Meeting"),
    "new_meeting": ("Nytt möte", "New meeting"),
    "create": ("Skapa mötet", "Create the meeting"),
    "no_meetings": ("Inga möten ännu.", "No meetings yet."),
    "date": ("Datum", "Date"),
    "period_reviewed": ("Period som följs upp", "Period under review"),
    "title": ("Rubrik", "Title"),
    "attendees": ("Närvarande", "Attendees"),
    "attendees_hint": ("Namn och organisation, ett per rad", "Names and organisations, one "
                       "per line"),
    "status_open": ("Öppet", "Open"),
    "status_closed": ("Stängt", "Closed"),
    "open_note": ("Mötet är öppet: siffrorna följer data tills det stängs.",
                  "The meeting is open: its figures follow the data until it is closed."),
    "closed_note": ("Stängt {when} av {who}. Siffrorna är frysta som de var då (data per "
                    "{as_of}).",
                    "Closed {when} by {who}. The figures are frozen as they were then (data "
                    "as of {as_of})."),
    "close": ("Stäng mötet och frys siffrorna", "Close the meeting and freeze the figures"),
    "close_confirm": ("Stänga mötet? Siffrorna fryses som de är nu, och bedömningar och beslut "
                      "kan inte längre ändras.",
                      "Close the meeting? The figures are frozen as they are now, and "
                      "check-ins and decisions can no longer be changed."),
    "present_meeting": ("Presentera mötet", "Present the meeting"),
    "present_edit": ("Presentera och anteckna", "Present and take notes"),
    "pack": ("Mötespaket", "Meeting pack"),
    "targets": ("Målen", "The targets"),
    "computed": ("Beräknad status", "Computed status"),
    "assessment": ("Styrgruppens bedömning", "The group's assessment"),
    "assessment_short": ("Bedömning", "Assessment"),
    "comment": ("Kommentar", "Comment"),
    "comment_hint": ("Varför, och vad görs?", "Why, and what is being done?"),
    "no_checkin": ("Ingen bedömning", "No assessment"),
    "written_by": ("{who}, {when}", "{who}, {when}"),
    "saved": ("Sparat {when}", "Saved {when}"),
    "history": ("Tidigare bedömningar", "Earlier assessments"),
    "no_history": ("Inga tidigare bedömningar.", "No earlier assessments."),
    "trend": ("Status per kvartal", "Status per quarter"),
    "no_target_then": ("Inget mål", "No target"),
    "revised": ("reviderad sedan mötet: {then} → {now}", "revised since the meeting: {then} → "
                "{now}"),
    "decisions": ("Beslut", "Decisions"),
    "no_decisions": ("Inga beslut.", "No decisions."),
    "decision_text": ("Beslut", "Decision"),
    "about_target": ("Gäller mål", "About target"),
    "no_target_choice": ("(inget särskilt mål)", "(no particular target)"),
    "add_decision": ("Lägg till beslutet", "Add the decision"),
    "action": ("Åtgärd", "Action"),
    "actions": ("Åtgärder", "Actions"),
    "no_actions": ("Inga åtgärder.", "No actions."),
    "owner": ("Ansvarig", "Owner"),
    "owner_hint": ("En part eller ett namn", "A party or a name"),
    "due": ("Klart senast", "Due"),
    "done": ("Klar", "Done"),
    "not_done": ("Ej klar", "Not done"),
    "overdue": ("⚠ Försenad", "⚠ Overdue"),
    "carried": ("från mötet {date}", "from the meeting of {date}"),
    "done_since": ("klar sedan mötet", "done since the meeting"),
    "decisions_actions": ("Beslut och åtgärder", "Decisions and actions"),
    "since_last": ("Sedan förra mötet", "Since the last meeting"),
    "since_intro": ("Förra mötet: {date}, {title} ({period}).",
                    "The last meeting: {date}, {title} ({period})."),
    "then": ("Då", "Then"),
    "now": ("Nu", "Now"),
    "changed_status": ("Ändrad status", "Changed status"),
    "no_changes": ("Inget mål har bytt status.", "No target has changed status."),
    "open_actions": ("Öppna åtgärder", "Open actions"),
    "overdue_actions": ("Försenade åtgärder", "Overdue actions"),
    "no_open_actions": ("Inga öppna åtgärder.", "No open actions."),
    "data_since": ("Data som kommit sedan dess", "Data that has arrived since"),
    "no_data_since": ("Inga nya importer.", "No new imports."),
    "import_line": ("{when}: {file} ({rows})", "{when}: {file} ({rows})"),
    "first_meeting": ("Det här är överenskommelsens första möte.",
                      "This is the agreement's first meeting."),
    "charts": ("Diagrammen", "The charts"),
    "edit_panel": ("Anteckningar", "Notes"),
    "edit_hint": ("Sparas medan du skriver (när du lämnar fältet). Bilderna visar det som "
                  "sparats.", "Saved as you go (when you leave a field). The slides show what "
                  "is saved."),
    "edit_slide_none": ("Den här bilden har inga mål att bedöma.",
                        "This slide has no targets to assess."),
    "your_name": ("Ditt namn", "Your name"),
    "back_to_meeting": ("Till mötet", "To the meeting"),
    "read_only": ("Du kan läsa mötet men inte skriva i det.",
                  "You can read the meeting but not write in it."),
    "closed_read_only": ("Mötet är stängt: inget kan ändras.",
                         "The meeting is closed: nothing can be changed."),
    "mark_done": ("Markera som klar", "Mark as done"),
    # the command line and refusals
    "created": ("{id}", "{id}"),
    "checked_in": ("Bedömning sparad: möte {meeting}, {target}: {assessment}.",
                   "Check-in saved: meeting {meeting}, {target}: {assessment}."),
    "decided": ("Beslut {id} sparat i möte {meeting}.", "Decision {id} saved in meeting "
                "{meeting}."),
    "decided_action": ("Beslut {id} och åtgärd {action} sparade i möte {meeting}.",
                       "Decision {id} and action {action} saved in meeting {meeting}."),
    "closed": ("Möte {id} stängt: {n} nyckeltal frysta (data per {as_of}).",
               "Meeting {id} closed: {n} key figures frozen (data as of {as_of})."),
    "action_done": ("Åtgärd {id}: {state}.", "Action {id}: {state}."),
    "no_meeting": ("Mötet {id} finns inte.", "The meeting {id} does not exist."),
    "no_action": ("Åtgärden {id} hör inte till mötet {meeting}.",
                  "The action {id} does not belong to the meeting {meeting}."),
    "meeting_closed": ("Mötet {id} är stängt: det kan inte ändras.",
                       "The meeting {id} is closed: it cannot be changed."),
    "no_agreement": ("Överenskommelsen ”{id}” finns inte.", "The agreement '{id}' does not "
                     "exist."),
    "bad_period": ("”{p}” är ingen period. Skriv ÅÅÅÅ, ÅÅÅÅ-H1, ÅÅÅÅ-Q1, ÅÅÅÅ-MM eller "
                   "ÅÅÅÅ-MM..ÅÅÅÅ-MM.", "'{p}' is not a period. Write YYYY, YYYY-H1, YYYY-Q1, "
                   "YYYY-MM or YYYY-MM..YYYY-MM."),
    "bad_date": ("{field}: ”{value}” är inget datum. Skriv ÅÅÅÅ-MM-DD.",
                 "{field}: '{value}' is not a date. Write YYYY-MM-DD."),
    "bad_assessment": ("Bedömningen ska vara on_track, at_risk eller off_track.",
                       "The assessment must be on_track, at_risk or off_track."),
    "not_a_target": ("{target} är inget mål i mötet. Mål: {known}.",
                     "{target} is not a target of the meeting. Targets: {known}."),
    "identity_number": ("{field} ser ut att innehålla ett personnummer eller "
                        "samordningsnummer. Instrumentpanelen sparar inga personuppgifter: "
                        "skriv om texten utan numret.",
                        "{field} looks like it holds a personal identity number. The "
                        "dashboard keeps no personal data: write the text without the number."),
    "too_long": ("{field} är för lång (högst {n} tecken).", "{field} is too long (at most {n} "
                 "characters)."),
    "empty": ("{field} saknas.", "{field} is missing."),
    "action_incomplete": ("En åtgärd behöver text, ansvarig och datum (--action, --owner, "
                          "--due).", "An action needs a text, an owner and a date (--action, "
                          "--owner, --due)."),
    "not_allowed": ("Du får inte skriva i den här överenskommelsens möten.",
                    "You may not write in this agreement's meetings."),
    "list_head": (("id", "datum", "period", "status", "rubrik", "bedömningar", "beslut",
                   "åtgärder"),
                  ("id", "date", "period", "status", "title", "check-ins", "decisions",
                   "actions")),
    "failed": ("Kommandot misslyckades ({error}). Inget mer har ändrats.",
               "The command failed ({error}). Nothing more was changed."),
    "busy": ("Data ändrades medan mötet stängdes; försök igen.",
             "The data kept changing while the meeting was being closed; try again."),
}

FIELDS = {
    "title": ("Rubriken", "The title"),
    "attendees": ("Närvarolistan", "The attendees"),
    "comment": ("Kommentaren", "The comment"),
    "text": ("Beslutstexten", "The decision"),
    "action": ("Åtgärden", "The action"),
    "owner": ("Ansvarig", "The owner"),
    "by": ("Namnet", "The name"),
    "date": ("Datum", "The date"),
    "due": ("Klart senast", "The due date"),
}


def mt(key: str, lang: str = "sv", **params) -> str:
    """The meetings' text ``key`` in ``lang``."""
    return words(TEXT, key, lang, params)


def field_name(name: str, lang: str) -> str:
    return words(FIELDS, name, lang, {}) if name in FIELDS else name


def assessment_word(assessment: str, lang: str = "sv") -> str:
    return ASSESSMENT[assessment][1 if lang == "sv" else 2]


def assessment_label(assessment: str, lang: str = "sv") -> str:
    """``● I fas``: shape and word."""
    return f"{ASSESSMENT[assessment][0]} {assessment_word(assessment, lang)}"
