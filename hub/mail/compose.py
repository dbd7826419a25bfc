"""Writing one mail in its reader's language: the subject, a text part and a simple HTML part, each notice with its
reference number, title, platform, deadline in the hub's time zone (named) and a link to the item.

The catalogues are read with Babel directly (the mail job runs outside any request); the strings are marked with
``_``/``ngettext`` so that ``pybabel extract`` finds them like the pages' own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime as rfc2822
from email.utils import parseaddr
from functools import lru_cache
from html import escape
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.support import NullTranslations, Translations

from hub import ROOT
from hub.core.mail_outbox import Outgoing

LOCALES = ("vi", "en")


@dataclass(frozen=True)
class Letterhead:
    """What every mail shares: the sender, the base of its links, the time zone and the default language."""

    sender: str
    public_url: str
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"

    @property
    def domain(self) -> str:
        return parseaddr(self.sender)[1].rpartition("@")[2] or "localhost"

    def message_id(self, mail: Outgoing) -> str:
        """The same for every try of the same mail; distinct between hubs that share a sending domain."""
        hub = hashlib.sha256(self.public_url.encode()).hexdigest()[:10]
        return f"<{mail.key}.{hub}@{self.domain}>"


@lru_cache(maxsize=8)
def _catalogue(locale: str) -> NullTranslations:
    return Translations.load(str(ROOT / "translations"), [locale])


def locale_of(mail: Outgoing, head: Letterhead) -> str:
    """The reader's own language, else the hub's."""
    return mail.locale if mail.locale in LOCALES else head.default_locale


def compose(mail: Outgoing, head: Letterhead, now: datetime) -> EmailMessage:
    """The finished message, headers included; its Message-ID is stable for the mail's rows."""
    locale = locale_of(mail, head)
    t = _catalogue(locale)
    _ = t.gettext
    lines = [_line(t, n, head, locale) for n in mail.notices]
    if mail.digest:
        subject = t.ngettext("Directive Hub: %(num)d notice today", "Directive Hub: %(num)d notices today", len(lines))
        subject %= {"num": len(lines)}
    else:
        subject = _subject(t, mail.notices[0])
    settings_url = head.public_url.rstrip("/") + "/account/preferences"
    greeting = _("Hello %(name)s,") % {"name": mail.name}
    footer = _("Choose how you receive non-urgent notices (at once, a daily digest, or none): %(url)s") % {
        "url": settings_url
    }
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = head.sender
    message["To"] = Address(display_name=mail.name, addr_spec=mail.email)
    message["Date"] = rfc2822(now)
    message["Message-ID"] = head.message_id(mail)
    message["Auto-Submitted"] = "auto-generated"
    text = [greeting, ""] + [f"- {words}\n  {url}" for words, url in lines] + ["", footer]
    message.set_content("\n".join(text))
    message.add_alternative(_html(greeting, lines, footer, locale), subtype="html")
    message["Content-Language"] = locale  # after the parts: setting content drops the Content-* headers
    return message


def _subject(t: NullTranslations, n: dict) -> str:
    _ = t.gettext
    values = {"ref_no": n.get("ref_no") or "", "title": n.get("title") or "", "platform": n.get("platform") or ""}
    subjects = {
        "directive": _("New directive %(ref_no)s not yet received: %(title)s"),
        "reminder": _("Reminder: %(ref_no)s %(title)s"),
        "due_soon": _("Deadline approaching: %(ref_no)s %(title)s"),
        "overdue": _("Deadline passed: %(ref_no)s %(title)s"),
        "escalation": _("Escalated: %(platform)s has not acted on %(ref_no)s"),
    }
    subject = subjects.get(n.get("kind"), subjects["directive"]) % values
    return (_("[Urgent] ") + subject) if n.get("urgent") else subject


def _line(t: NullTranslations, n: dict, head: Letterhead, locale: str) -> tuple[str, str]:
    """One notice as a sentence, and the link to its item."""
    _ = t.gettext
    values = {
        "ref_no": n.get("ref_no") or "",
        "title": n.get("title") or "",
        "platform": n.get("platform") or "",
        "due": _deadline(t, n.get("due_at"), head, locale),
    }
    sentences = {
        "directive": _("%(platform)s has not yet received directive %(ref_no)s “%(title)s”. Deadline: %(due)s."),
        "reminder": _("Directive %(ref_no)s “%(title)s” awaits action from %(platform)s. Deadline: %(due)s."),
        "due_soon": _("%(platform)s must acknowledge directive %(ref_no)s “%(title)s” by %(due)s.")
        if n.get("phase") != "implement"
        else _("%(platform)s must report the implementation of directive %(ref_no)s “%(title)s” by %(due)s."),
        "overdue": _("The deadline of directive %(ref_no)s “%(title)s” has passed for %(platform)s (%(due)s)."),
        "escalation": _(
            "%(platform)s has not acted on directive %(ref_no)s “%(title)s” by its deadline (%(due)s); "
            "the matter was escalated to your department."
        ),
    }
    words = sentences.get(n.get("kind"), sentences["directive"]) % values
    return words, head.public_url.rstrip("/") + (n.get("path") or "/")


def _deadline(t: NullTranslations, due_at: str | None, head: Letterhead, locale: str) -> str:
    if not due_at:
        return t.gettext("none")
    when = datetime.fromisoformat(due_at)
    zone = ZoneInfo(head.timezone)
    shown = format_datetime(when, "HH:mm dd/MM/yyyy", tzinfo=zone, locale=locale)
    return t.gettext("%(when)s (%(zone)s)") % {"when": shown, "zone": zone_name(when, zone)}


def zone_name(when: datetime, zone: ZoneInfo) -> str:
    """The hub's time zone as a reader anywhere can place it: its name and its offset then (``Asia/Ho_Chi_Minh,
    UTC+07:00``)."""
    offset = when.astimezone(zone).strftime("%z")
    return f"{zone.key}, UTC{offset[:3]}:{offset[3:]}"


def _html(greeting: str, lines: list[tuple[str, str]], footer: str, locale: str) -> str:
    items = "".join(f'<li><p>{escape(w)}<br><a href="{escape(u)}">{escape(u)}</a></p></li>' for w, u in lines)
    return (
        f'<!doctype html><html lang="{locale}"><body style="font-family:sans-serif;max-width:40em">'
        f"<p>{escape(greeting)}</p><ul>{items}</ul><p><small>{escape(footer)}</small></p></body></html>"
    )
