"""French and English words of the web pages, status colours, and language negotiation.

A status is always shown as a colour and a word, never a colour alone (colour-blind
readers, printed pages). French is the default, as in the digest.
"""

from __future__ import annotations

from datetime import date, datetime

from digests.i18n import SIGNAL_LABELS

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

STATUS_COLOURS: dict[str, str] = {
    "not_rated": "#6b7280",
    "in_progress": "#1d4ed8",
    "achieved": "#15803d",
    "partially_achieved": "#0f766e",
    "stalled": "#b45309",
    "broken": "#b91c1c",
}

STATUS_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "not_rated": "Non évalué",
        "in_progress": "En cours",
        "achieved": "Tenu",
        "partially_achieved": "Partiellement tenu",
        "stalled": "À l'arrêt",
        "broken": "Rompu",
    },
    "en": {
        "not_rated": "Not rated",
        "in_progress": "In progress",
        "achieved": "Achieved",
        "partially_achieved": "Partially achieved",
        "stalled": "Stalled",
        "broken": "Broken",
    },
}

THEME_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "governance": "Gouvernance",
        "security": "Sécurité",
        "safety": "Sûreté de l'IA",
        "public-interest": "Intérêt général",
        "investment": "Investissement",
        "sustainability": "Durabilité",
    },
    "en": {
        "governance": "Governance",
        "security": "Security",
        "safety": "AI safety",
        "public-interest": "Public interest",
        "investment": "Investment",
        "sustainability": "Sustainability",
    },
}

SIGNAL_WORDS = SIGNAL_LABELS  # one table of signal words, shared with the mails and alerts

# The health words themselves (ok, degraded, failing) are the same in the CLI, the API, the digest
# and here, in both languages; only the states with no verdict yet are translated.
HEALTH_WORDS: dict[str, dict[str, str]] = {
    "fr": {"running": "en cours", "never crawled": "jamais collectée"},
    "en": {"running": "running", "never crawled": "never crawled"},
}

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "site_title": "summitwatch",
        "tagline": "Le suivi des engagements du Sommet pour l'action sur l'IA (Paris, février 2025)",
        "nav_dashboard": "Engagements",
        "nav_publications": "Publications",
        "nav_sources": "Sources",
        "nav_subscribe": "S'abonner",
        "nav_api": "API",
        "nav_feed": "Flux Atom",
        "other_language": "English",
        "dashboard_title": "Où en sont les engagements",
        "filter": "Filtrer",
        "reset": "Tout afficher",
        "theme": "Thème",
        "actor": "Acteur",
        "status": "Statut",
        "source": "Source",
        "all": "Tous",
        "commitment": "Engagement",
        "last_evidence": "Dernière preuve",
        "days_since": "il y a {n} j",
        "today": "aujourd'hui",
        "no_evidence": "aucune preuve pour l'instant",
        "evidence_count": "{n} preuve(s)",
        "no_commitments": "Aucun engagement ne correspond à ces filtres.",
        "made_on": "Pris le",
        "deadline": "Échéance",
        "no_deadline": "aucune",
        "actors": "Acteurs",
        "source_text": "Texte source",
        "status_since": "depuis le",
        "timeline": "Chronologie",
        "history": "Historique du statut",
        "no_history": "Aucun changement de statut enregistré.",
        "no_timeline": "Aucune preuve ni changement de statut pour l'instant.",
        "status_change": "Changement de statut",
        "by": "par",
        "signal": "Signal",
        "read_source": "Lire la publication",
        "newer": "← Plus récent",
        "older": "Plus ancien →",
        "previous": "← Précédent",
        "next": "Suivant →",
        "page": "Page {n}",
        "publications_title": "Publications collectées",
        "search": "Recherche",
        "search_placeholder": "mots à chercher",
        "results_one": "1 résultat",
        "results_many": "{n} résultats",
        "results_capped": "plus de {n} résultats",
        "sort_by": "Trier par",
        "sort_date": "date",
        "sort_relevance": "pertinence",
        "since": "Depuis",
        "until": "Avant le",
        "no_publications": "Aucune publication ne correspond.",
        "sources_title": "Sources et santé de la collecte",
        "publications": "Publications",
        "health": "Santé",
        "last_run": "Dernière collecte",
        "never": "jamais",
        "health_legend": "ok : collectée normalement · degraded : collectée, mais pas entièrement (raisons ci-dessous) · failing : en échec, ses publications peuvent manquer",
        "errors": "erreurs",
        "new": "nouvelles",
        "updated": "mises à jour",
        "subscribe_title": "Recevoir le point hebdomadaire",
        "subscribe_intro": "Chaque lundi, les engagements qui ont bougé, ceux qui stagnent, et les publications qui le montrent. Vous confirmerez votre adresse par un lien envoyé par courriel.",
        "email": "Adresse électronique",
        "language": "Langue",
        "themes_optional": "Thèmes (facultatif ; aucun = tous)",
        "commitments_optional": "Engagements (facultatif ; aucun = tous)",
        "sources_optional": "Sources (facultatif ; aucune = toutes)",
        "subscribe_button": "S'abonner",
        "check_inbox_title": "Vérifiez votre boîte de réception",
        "check_inbox": "Si cette adresse peut recevoir le point hebdomadaire, un courriel vient de lui être envoyé. Suivez le lien qu'il contient pour confirmer. Rien n'arrive ? Regardez les indésirables, ou réessayez dans une heure.",
        "confirm_title": "Confirmer l'abonnement",
        "confirm_intro": "Un clic pour confirmer que vous voulez recevoir le point hebdomadaire.",
        "confirm_button": "Confirmer mon abonnement",
        "confirmed_title": "Abonnement confirmé",
        "confirmed": "C'est fait : vous recevrez le prochain point hebdomadaire.",
        "manage_link": "Choisir la langue et les filtres",
        "manage_title": "Vos préférences",
        "send_empty": "Recevoir le point même les semaines sans nouveauté",
        "save": "Enregistrer",
        "saved": "Préférences enregistrées.",
        "unsubscribe_title": "Se désabonner",
        "unsubscribe_intro": "Vous ne recevrez plus le point hebdomadaire.",
        "unsubscribe_button": "Me désabonner",
        "unsubscribed_title": "Désabonnement effectué",
        "unsubscribed": "Vous ne recevrez plus aucun courriel de summitwatch.",
        "resubscribe": "Vous pouvez vous réabonner à tout moment.",
        "bad_link_title": "Lien invalide ou expiré",
        "bad_link": "Ce lien n'est pas valide : il a expiré, a déjà servi ou a été modifié. Demandez-en un nouveau en vous réabonnant.",
        "bad_form_title": "Formulaire expiré",
        "bad_form": "Ce formulaire a expiré ou ne vient pas de ce site. Rechargez la page et réessayez.",
        "bad_email": "Adresse électronique invalide",
        "too_many_title": "Trop de demandes",
        "too_many": "Trop de demandes d'abonnement en peu de temps. Réessayez dans une heure.",
        "error_title": "Erreur",
        "not_found_title": "Introuvable",
        "not_found": "Cette page n'existe pas.",
        "review_title": "Propositions à examiner",
        "review_login": "Jeton de relecture",
        "review_login_button": "Entrer",
        "review_disabled": "La relecture en ligne est désactivée : définissez SUMMITWATCH_REVIEW_TOKEN.",
        "review_bad_token": "Jeton de relecture incorrect.",
        "review_none": "Aucune proposition en attente.",
        "proposed_status": "Statut proposé",
        "note": "Note",
        "accept": "Accepter",
        "reject": "Rejeter",
        "score": "Score",
        "matched_terms": "Termes reconnus",
        "reviewed": "Décision enregistrée.",
        "logout": "Quitter",
        "footer": "Données ouvertes : API JSON, export CSV et flux Atom.",
    },
    "en": {
        "site_title": "summitwatch",
        "tagline": "Tracking the commitments of the AI Action Summit (Paris, February 2025)",
        "nav_dashboard": "Commitments",
        "nav_publications": "Publications",
        "nav_sources": "Sources",
        "nav_subscribe": "Subscribe",
        "nav_api": "API",
        "nav_feed": "Atom feed",
        "other_language": "Français",
        "dashboard_title": "Where the commitments stand",
        "filter": "Filter",
        "reset": "Show all",
        "theme": "Theme",
        "actor": "Actor",
        "status": "Status",
        "source": "Source",
        "all": "All",
        "commitment": "Commitment",
        "last_evidence": "Last evidence",
        "days_since": "{n} days ago",
        "today": "today",
        "no_evidence": "no evidence yet",
        "evidence_count": "{n} piece(s) of evidence",
        "no_commitments": "No commitment matches these filters.",
        "made_on": "Made on",
        "deadline": "Deadline",
        "no_deadline": "none",
        "actors": "Actors",
        "source_text": "Source text",
        "status_since": "since",
        "timeline": "Timeline",
        "history": "Status history",
        "no_history": "No status change recorded.",
        "no_timeline": "No evidence or status change yet.",
        "status_change": "Status change",
        "by": "by",
        "signal": "Signal",
        "read_source": "Read the publication",
        "newer": "← Newer",
        "older": "Older →",
        "previous": "← Previous",
        "next": "Next →",
        "page": "Page {n}",
        "publications_title": "Publications gathered",
        "search": "Search",
        "search_placeholder": "words to search",
        "results_one": "1 result",
        "results_many": "{n} results",
        "results_capped": "more than {n} results",
        "sort_by": "Sort by",
        "sort_date": "date",
        "sort_relevance": "relevance",
        "since": "Since",
        "until": "Before",
        "no_publications": "No publication matches.",
        "sources_title": "Sources and crawl health",
        "publications": "Publications",
        "health": "Health",
        "last_run": "Last crawl",
        "never": "never",
        "health_legend": "ok: crawled normally · degraded: crawled, but not entirely (reasons below) · failing: failing, its publications may be missing",
        "errors": "errors",
        "new": "new",
        "updated": "updated",
        "subscribe_title": "Get the weekly digest",
        "subscribe_intro": "Every Monday: which commitments moved, which stalled, and the publications that show it. You will confirm your address through a link sent by email.",
        "email": "Email address",
        "language": "Language",
        "themes_optional": "Themes (optional; none = all)",
        "commitments_optional": "Commitments (optional; none = all)",
        "sources_optional": "Sources (optional; none = all)",
        "subscribe_button": "Subscribe",
        "check_inbox_title": "Check your inbox",
        "check_inbox": "If this address can receive the weekly digest, an email has just been sent to it. Follow its link to confirm. Nothing came? Look in your spam folder, or try again in an hour.",
        "confirm_title": "Confirm your subscription",
        "confirm_intro": "One click to confirm that you want the weekly digest.",
        "confirm_button": "Confirm my subscription",
        "confirmed_title": "Subscription confirmed",
        "confirmed": "Done: you will receive the next weekly digest.",
        "manage_link": "Choose the language and filters",
        "manage_title": "Your preferences",
        "send_empty": "Send the digest even in weeks with nothing new",
        "save": "Save",
        "saved": "Preferences saved.",
        "unsubscribe_title": "Unsubscribe",
        "unsubscribe_intro": "You will no longer receive the weekly digest.",
        "unsubscribe_button": "Unsubscribe me",
        "unsubscribed_title": "Unsubscribed",
        "unsubscribed": "You will receive no more email from summitwatch.",
        "resubscribe": "You may subscribe again at any time.",
        "bad_link_title": "Invalid or expired link",
        "bad_link": "This link is not valid: it expired, was already used, or was altered. Ask for a new one by subscribing again.",
        "bad_form_title": "Form expired",
        "bad_form": "This form expired or does not come from this site. Reload the page and try again.",
        "bad_email": "Invalid email address",
        "too_many_title": "Too many requests",
        "too_many": "Too many subscription requests in a short time. Please try again in an hour.",
        "error_title": "Error",
        "not_found_title": "Not found",
        "not_found": "This page does not exist.",
        "review_title": "Proposals to review",
        "review_login": "Review token",
        "review_login_button": "Enter",
        "review_disabled": "Web review is disabled: set SUMMITWATCH_REVIEW_TOKEN.",
        "review_bad_token": "Wrong review token.",
        "review_none": "No proposal waiting.",
        "proposed_status": "Proposed status",
        "note": "Note",
        "accept": "Accept",
        "reject": "Reject",
        "score": "Score",
        "matched_terms": "Matched terms",
        "reviewed": "Decision recorded.",
        "logout": "Leave",
        "footer": "Open data: JSON API, CSV export and Atom feed.",
    },
}

MONTHS = {
    "fr": (
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ]
    ),
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}


def pick_language(query_lang: str | None, accept_language: str | None) -> str:
    """`?lang=` wins; then the best of fr/en in Accept-Language (by q-value); then French."""
    if query_lang in LANGUAGES:
        return str(query_lang)
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for position, part in enumerate((accept_language or "").split(",")[:20]):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()[:2]
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        q -= position * 1e-6  # earlier wins among equals
        if tag in LANGUAGES and q > best_q and q > 0:
            best, best_q = tag, q
    return best


def parse_iso(value: str | datetime | date | None) -> datetime | date | None:
    if value is None or isinstance(value, datetime | date):
        return value
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def format_date(value: str | datetime | date | None, lang: str) -> str:
    """'12 février 2025' / '12 February 2025'; '' when unknown."""
    parsed = parse_iso(value)
    if parsed is None:
        return ""
    return f"{parsed.day} {MONTHS[lang][parsed.month - 1]} {parsed.year}"


def days_since(value: str | datetime | None, today: date) -> int | None:
    parsed = parse_iso(value)
    if parsed is None:
        return None
    day = parsed.date() if isinstance(parsed, datetime) else parsed
    return max((today - day).days, 0)


class Translator:
    """The words of one language, for templates: `t('key', n=3)`."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE

    def __call__(self, key: str, **values: object) -> str:
        text = LABELS[self.lang].get(key) or LABELS["en"].get(key) or key
        return text.format(**values) if values else text

    def status(self, status: str) -> str:
        return STATUS_WORDS[self.lang].get(status, status)

    def theme(self, theme: str) -> str:
        return THEME_WORDS[self.lang].get(theme, theme)

    def signal(self, signal: str) -> str:
        return SIGNAL_WORDS[self.lang].get(signal, signal)

    def health(self, health: str) -> str:
        return HEALTH_WORDS[self.lang].get(health, health)

    def date(self, value: str | datetime | date | None) -> str:
        return format_date(value, self.lang)
