"""Words of the exports (Swedish first, English with ``lang="en"``), and file names."""

from __future__ import annotations

import re
import unicodedata

from dashboard.i18n import words

TEXT: dict[str, tuple[str, str]] = {
    "no_browser": (
        "Ingen Chrome eller Chromium hittades på den här datorn, så bilderna (PNG, SVG) – och "
        "därmed Word- och PowerPoint-filerna – kan inte ritas här. Installera en webbläsare, "
        "t.ex. med ”apt-get install chromium” (Debian/Ubuntu), eller ange sökvägen till en "
        "installerad Chrome med miljövariabeln BROWSER_PATH. Inget laddas ner automatiskt.",
        "No Chrome or Chromium was found on this computer, so the images (PNG, SVG) – and "
        "with them the Word and PowerPoint files – cannot be drawn here. Install a browser, "
        "e.g. with 'apt-get install chromium' (Debian/Ubuntu), or give the path of an "
        "installed Chrome in the environment variable BROWSER_PATH. Nothing is downloaded "
        "automatically."),
    "browser_failed": ("Webbläsaren kunde inte rita bilderna: {error}",
                       "The browser could not draw the images: {error}"),
    "not_found": ("Överenskommelsen eller klustret finns inte.",
                  "The agreement or cluster does not exist."),
    "bad_period": ("”{period}” är ingen period. Skriv ÅÅÅÅ, ÅÅÅÅ-H1, ÅÅÅÅ-Q1, ÅÅÅÅ-MM eller "
                   "ÅÅÅÅ-MM..ÅÅÅÅ-MM.", "'{period}' is not a period. Write YYYY, YYYY-H1, "
                   "YYYY-Q1, YYYY-MM or YYYY-MM..YYYY-MM."),
    "bad_format": ("Okänt format ”{fmt}”. Välj bland: {known}.",
                   "Unknown format '{fmt}'. Choose from: {known}."),
    "cannot_write": ("Kan inte skriva i {path}: {error}", "Cannot write to {path}: {error}"),
    "failed": ("Exporten misslyckades: {error}", "The export failed: {error}"),
    "written": ("Mötespaketet är klart: {n} filer i {out} ({seconds} s).",
                "The meeting pack is ready: {n} files in {out} ({seconds} s)."),
    "by_gender": ("efter kön", "by gender"),
    "print": ("tryck", "print"),
    "figure": ("Figur", "Figure"),
    "follow_up": ("Uppföljning för styrgruppen", "Follow-up for the steering group"),
    "cluster_of": ("Kluster i {agreement}", "Cluster of {agreement}"),
    "targets": ("Målen", "The targets"),
    "no_targets": ("Inga mål är angivna för den här nivån.", "No targets are set at this level."),
    "key_figures": ("Nyckeltal", "Key figures"),
    "key_figures_intro": (
        "Samma värden som kommandot python -m dashboard kpis ger för perioden{scope}.",
        "The same values as the command python -m dashboard kpis gives for the period{scope}."),
    "whole_agreement": ("Hela överenskommelsen", "The whole agreement"),
    "per_cluster": ("Per kluster", "Per cluster"),
    "about_data": ("Om uppgifterna", "About the data"),
    "incomplete": ("Ofullständiga uppgifter", "Incomplete data"),
    "privacy": ("Små antal är dolda", "Small counts are hidden"),
    "privacy_text": (
        "I uppdelningar efter kön eller målgrupp visas antal från 1 till {below} som "
        "”<{threshold}”, och ytterligare värden är dolda (”dolt”) så att ett litet antal inte "
        "kan räknas fram ur en summa eller en andel. Totalerna visas oförändrade.",
        "In breakdowns by gender or target group, counts from 1 to {below} are shown as "
        "'<{threshold}', and further values are hidden ('hidden') so that a small count "
        "cannot be worked out from a sum or a share. Totals are shown unchanged."),
    "page": ("sida", "page"),
    "pack_button": ("Mötespaket", "Meeting pack"),
    "pack_title": ("Ladda ner mötespaketet: alla diagram som PNG och SVG, ett Word-dokument "
                   "för protokollet och ett PowerPoint-bildspel",
                   "Download the meeting pack: every chart as PNG and SVG, a Word document "
                   "for the minutes and a PowerPoint deck"),
    "pack_starting": ("Förbereder mötespaketet …", "Preparing the meeting pack …"),
    "pack_step": ("{what} ({done} av {total})", "{what} ({done} of {total})"),
    "step_views": ("Räknar fram siffrorna", "Computing the figures"),
    "step_browser": ("Startar webbläsaren", "Starting the browser"),
    "step_images": ("Ritar diagrammen", "Drawing the charts"),
    "step_files": ("Skriver bildfilerna", "Writing the image files"),
    "step_docx": ("Skriver Word-dokumentet", "Writing the Word document"),
    "step_pptx": ("Skriver bildspelet", "Writing the slides"),
    "step_zip": ("Packar ihop", "Packing"),
    "pack_ready": ("Mötespaketet är nedladdat: {name} ({files} filer, {size}).",
                   "The meeting pack is downloaded: {name} ({files} files, {size})."),
    "panel_fallback": ("Servern har ingen webbläsare för att rita bilder, så diagrammet ritades "
                       "i din webbläsare i stället (PNG och SVG fungerar ändå). Be den som sköter "
                       "servern installera Chromium: apt-get install chromium.",
                       "The server has no browser to draw images, so the chart was drawn in "
                       "your browser instead (PNG and SVG still work). Ask whoever runs the "
                       "server to install Chromium: apt-get install chromium."),
    "panel_ready": ("Nedladdat: {name}", "Downloaded: {name}"),
    "meeting_alone": ("--meeting ger mötets egen överenskommelse och period: ange inte "
                      "--agreement, --period eller --cluster med den.",
                      "--meeting gives the meeting's own agreement and period: do not give "
                      "--agreement, --period or --cluster with it."),
    "agreement_or_meeting": ("Ange --agreement och --period, eller --meeting.",
                             "Give --agreement and --period, or --meeting."),
    "meeting_file": ("mote", "meeting"),
    "meeting_no_data": ("Mötet {id}: överenskommelsen har inga uppgifter längre, så det "
                        "öppna mötet har inga siffror att visa.",
                        "Meeting {id}: the agreement has no data any more, so the open "
                        "meeting has no figures to show."),
    "slide_of": ("{n} / {total}", "{n} / {total}"),
}


def tx(key: str, lang: str = "sv", **params) -> str:
    """The export text ``key`` in ``lang``."""
    return words(TEXT, key, lang, params)


def slug(text: str, limit: int = 60) -> str:
    """A plain ASCII file name part: ``Beläggning – Järva`` -> ``belaggning-jarva``."""
    letters = unicodedata.normalize("NFKD", str(text).lower())
    plain = "".join(c for c in letters if not unicodedata.combining(c))  # ä -> a
    plain = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")  # anything else separates
    return plain[:limit].rstrip("-") or "x"
