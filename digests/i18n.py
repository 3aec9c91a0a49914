"""French and English wording of the mails; dates and numbers through Babel.

The strings are few and owned by this package, so they live in one table rather
than compiled gettext catalogs; Babel supplies locale-correct dates
("lundi 17 février 2025") and number formats.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent

from digests.periods import PARIS

LANGUAGES = ("fr", "en")

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "subject": "summitwatch : le point de la semaine du {start}",
        "subject_empty": "summitwatch : semaine calme ({start})",
        "heading": "Le point de la semaine",
        "period": "Du {start} au {end}",
        "intro": "Le suivi des engagements du Sommet pour l'action sur l'IA (Paris, février 2025).",
        "empty": "Rien de nouveau cette semaine : aucun changement de statut, aucune nouvelle publication liée aux engagements que vous suivez.",
        "status_changes": "Changements de statut",
        "evidence": "Nouveaux éléments, par engagement",
        "other_publications": "Autres publications des sources",
        "silent": "Engagements sans nouvelles",
        "silent_since": "rien depuis le {date}",
        "silent_never": "aucune publication trouvée",
        "deadlines": "Échéances dans les {days} prochains jours",
        "overdue": "Échéances dépassées",
        "in_days": "dans {days} jours",
        "today": "aujourd'hui",
        "days_late": "{days} jours de retard",
        "source_health": "État des sources",
        "health_ok": "collectée normalement",
        "health_degraded": "collectée, mais pas entièrement",
        "health_failing": "en échec toute la semaine : ses publications peuvent manquer",
        "health_not crawled": "pas collectée cette semaine",
        "runs": "{runs} collectes, {new} nouvelles pages",
        "more": "… et {count} de plus : tout voir sur le site",
        "see_all": "Voir l'engagement",
        "read": "Lire",
        "by": "par {who}",
        "undated": "non daté",
        "standing": "Où en sont les engagements",
        "late": "trouvé cette semaine, publié plus tôt",
        "holds_since": "depuis le {date}",
        "signal_word": "Signal",
        "evidence_link": "Source",
        "commitment_link": "Engagement",
        "footer_why": "Vous recevez ce courriel parce que vous vous êtes abonné·e au point hebdomadaire de summitwatch.",
        "manage": "Gérer mes préférences",
        "unsubscribe": "Se désabonner",
        "web": "Voir le tableau de bord",
        "confirm_subject": "Confirmez votre abonnement à summitwatch",
        "confirm_heading": "Confirmez votre abonnement",
        "confirm_body": "Quelqu'un (sans doute vous) a demandé à recevoir chaque lundi le point hebdomadaire de summitwatch à cette adresse.",
        "confirm_button": "Confirmer mon abonnement",
        "confirm_expiry": "Ce lien expire dans {days} jours. Si vous n'avez rien demandé, ignorez ce courriel : sans confirmation, vous ne recevrez rien.",
        "already_subject": "Votre abonnement à summitwatch",
        "already_heading": "Vous êtes déjà abonné·e",
        "already_body": "Une nouvelle demande d'abonnement a été faite pour cette adresse, qui reçoit déjà le point hebdomadaire. Vous n'avez rien à faire.",
        "already_manage": "Pour changer vos préférences ou vous désabonner :",
        "alert_setback_title": "Recul : {commitment}",
        "alert_status_title": "{commitment} : {old} → {new}",
        "alert_failing_title": "Source en échec : {source}",
        "alert_test_title": "summitwatch : message de test",
        "alert_setback_lead": "Une publication signale un recul pour l'engagement « {commitment} » (statut actuel : {status}).",
        "alert_status_lead": "Le statut de l'engagement « {commitment} » passe de « {old} » à « {new} » (par {who}).",
        "alert_failing_lead": "La collecte de {source} est en échec : ses nouvelles publications peuvent manquer jusqu'à ce qu'elle reprenne.",
        "alert_error": "Erreur : {error}",
        "alert_note": "Note : {note}",
        "alert_quote": "« {text} »",
        "alert_signal": "Signal : {signal}",
        "alert_published": "{source}, {date}",
        "alert_commitment": "L'engagement",
        "alert_sources": "État des sources",
        "standing_kept": "Tenus : {rate} ({achieved} sur {resolved} engagements tranchés)",
        "standing_overdue": "En retard : {count} (échéance passée, non tranchés)",
        "alert_test_body": "Ce canal est bien configuré : il recevra les alertes de summitwatch (reculs, changements de statut, sources en échec), une fois chacune.",
    },
    "en": {
        "subject": "summitwatch: the week of {start}",
        "subject_empty": "summitwatch: a quiet week ({start})",
        "heading": "This week's digest",
        "period": "From {start} to {end}",
        "intro": "Following up the commitments of the AI Action Summit (Paris, February 2025).",
        "empty": "Nothing new this week: no status change and no new publication about the commitments you follow.",
        "status_changes": "Status changes",
        "evidence": "New evidence, by commitment",
        "other_publications": "Other publications from the sources",
        "silent": "Silent commitments",
        "silent_since": "nothing since {date}",
        "silent_never": "no publication found",
        "deadlines": "Deadlines in the next {days} days",
        "overdue": "Overdue",
        "in_days": "in {days} days",
        "today": "today",
        "days_late": "{days} days late",
        "source_health": "Source health",
        "health_ok": "crawled normally",
        "health_degraded": "crawled, but not entirely",
        "health_failing": "failing all week: its publications may be missing",
        "health_not crawled": "not crawled this week",
        "runs": "{runs} crawls, {new} new pages",
        "more": "… and {count} more: see everything on the website",
        "see_all": "See the commitment",
        "read": "Read",
        "by": "by {who}",
        "undated": "undated",
        "standing": "Where the commitments stand",
        "late": "found this week, published earlier",
        "holds_since": "since {date}",
        "signal_word": "Signal",
        "evidence_link": "Source",
        "commitment_link": "Commitment",
        "footer_why": "You receive this email because you subscribed to the summitwatch weekly digest.",
        "manage": "Manage my preferences",
        "unsubscribe": "Unsubscribe",
        "web": "Open the dashboard",
        "confirm_subject": "Confirm your summitwatch subscription",
        "confirm_heading": "Confirm your subscription",
        "confirm_body": "Someone (probably you) asked to receive the summitwatch weekly digest at this address every Monday.",
        "confirm_button": "Confirm my subscription",
        "confirm_expiry": "This link expires in {days} days. If you did not ask for anything, ignore this email: without confirmation you will receive nothing.",
        "already_subject": "Your summitwatch subscription",
        "already_heading": "You are already subscribed",
        "already_body": "Someone asked again to subscribe this address, which already receives the weekly digest. There is nothing to do.",
        "already_manage": "To change your preferences or unsubscribe:",
        "alert_setback_title": "Setback: {commitment}",
        "alert_status_title": "{commitment}: {old} → {new}",
        "alert_failing_title": "Source failing: {source}",
        "alert_test_title": "summitwatch: test message",
        "alert_setback_lead": "A publication reports a setback for the commitment \u201c{commitment}\u201d (current status: {status}).",
        "alert_status_lead": "The commitment \u201c{commitment}\u201d moves from \u201c{old}\u201d to \u201c{new}\u201d (by {who}).",
        "alert_failing_lead": "Crawling {source} is failing: its new publications may be missing until it recovers.",
        "alert_error": "Error: {error}",
        "alert_note": "Note: {note}",
        "alert_quote": "\u201c{text}\u201d",
        "alert_signal": "Signal: {signal}",
        "alert_published": "{source}, {date}",
        "alert_commitment": "The commitment",
        "alert_sources": "Source health",
        "standing_kept": "Kept: {rate} ({achieved} of {resolved} resolved commitments)",
        "standing_overdue": "Overdue: {count} (deadline passed, not resolved)",
        "alert_test_body": "This channel is set up: it will receive summitwatch alerts (setbacks, status changes, failing sources), once each.",
    },
}

STATUS_LABELS = {
    "fr": {
        "not_rated": "non évalué",
        "in_progress": "en cours",
        "achieved": "tenu",
        "partially_achieved": "partiellement tenu",
        "stalled": "au point mort",
        "broken": "rompu",
    },
    "en": {
        "not_rated": "not rated",
        "in_progress": "in progress",
        "achieved": "achieved",
        "partially_achieved": "partially achieved",
        "stalled": "stalled",
        "broken": "broken",
    },
}

SIGNAL_LABELS = {
    "fr": {"mention": "mention", "progress": "avancée", "achieved": "réalisé", "setback": "recul"},
    "en": {"mention": "mention", "progress": "progress", "achieved": "achieved", "setback": "setback"},
}


# A signal and a status are always a word and a colour together, never a colour alone; the
# web uses the same status colours.
SIGNAL_COLOURS = {"mention": "#4b5563", "progress": "#15803d", "achieved": "#166534", "setback": "#b91c1c"}
STATUS_COLOURS = {
    "not_rated": "#6b7280",
    "in_progress": "#1d4ed8",
    "achieved": "#15803d",
    "partially_achieved": "#0f766e",
    "stalled": "#b45309",
    "broken": "#b91c1c",
}


class Translator:
    """Strings, status labels, dates and numbers for one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else "fr"
        self._strings = STRINGS[self.language]

    def __call__(self, key: str, **values: Any) -> str:
        text = self._strings[key]
        return text.format(**values) if values else text

    def status(self, status: str) -> str:
        return STATUS_LABELS[self.language].get(status, status)

    def signal(self, signal: str) -> str:
        return SIGNAL_LABELS[self.language].get(signal, signal)

    @property
    def colon(self) -> str:
        """French puts a (narrow) space before a colon, English none."""
        return "\u00a0:" if self.language == "fr" else ":"

    def signal_colour(self, signal: str) -> str:
        return SIGNAL_COLOURS.get(signal, SIGNAL_COLOURS["mention"])

    def status_colour(self, status: str) -> str:
        return STATUS_COLOURS.get(status, STATUS_COLOURS["not_rated"])

    def publication_date(self, value: date | datetime | None, precision: str | None) -> str:
        """As precisely as the page gave it: a month-dated page shows "février 2025", never a day."""
        if value is None:
            return self("undated")
        day = value.astimezone(PARIS).date() if isinstance(value, datetime) else value
        if precision == "year":
            return str(day.year)
        if precision == "month":
            return format_skeleton("yMMMM", day, locale=self.language)
        return self.short_date(day)

    def date(self, value: date | datetime | None) -> str:
        """A long date in the reader's language: "lundi 17 février 2025" / "Monday, February 17, 2025"."""
        if value is None:
            return self("undated")
        if isinstance(value, datetime):
            value = value.astimezone(PARIS).date()
        return babel_format_date(value, format="full", locale=self.language)

    def short_date(self, value: date | datetime | None) -> str:
        if value is None:
            return self("undated")
        if isinstance(value, datetime):
            value = value.astimezone(PARIS).date()
        return babel_format_date(value, format="long", locale=self.language)

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self.language)

    def percent(self, value: float | None) -> str:
        return "–" if value is None else format_percent(value, locale=self.language)
