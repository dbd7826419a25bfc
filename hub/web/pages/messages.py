"""The core's error messages in the reader's language.

The core speaks English and knows nothing of Flask; messages that never vary are listed here (marked for
extraction) so the catalogues translate them. Messages carrying values are shown as they are.
"""

from __future__ import annotations

from flask_babel import gettext

from hub.core.errors import HubError


def N_(message: str) -> str:
    """Mark a message for the catalogues without translating it here."""
    return message


CORE_MESSAGES = (
    N_("the audience matches no platform"),
    N_("the audience is empty: choose all platforms, provinces, kinds or platforms"),
    N_("publish_at must be in the future"),
    N_("implement_due_at cannot be before ack_due_at"),
    N_("expires_at cannot be before implement_due_at"),
    N_("ack_due_at must be after the publication time"),
    N_("implement_due_at must be after the publication time"),
    N_("expires_at must be after the publication time"),
    N_("only drafts and scheduled directives can be edited; amend a published one"),
    N_("only a published directive that has not been amended can be amended"),
    N_("a reason of 1-2000 characters is required"),
    N_("an expired directive cannot be revoked"),
    N_("declining needs a reason (in 'report')"),
    N_("reporting implemented needs a report of what was done"),
    N_("this directive was revoked; nothing more is needed"),
    N_("this directive has expired"),
    N_("only an implemented or declined delivery can be reviewed"),
    N_("say what more is needed (note)"),
    N_("this question is already answered"),
    N_("a question of 1-5000 characters is required"),
    N_("an answer of 1-5000 characters is required"),
    N_("choose 1-1000 reports to verify"),
    N_("every report to verify must be one of this directive's"),
    N_("a template name of 1-200 characters is required"),
    N_("the saved content no longer passes the composer's checks"),
    N_("the current password is wrong"),
    N_("a password needs at least 10 characters"),
    N_("a password may have at most 256 characters"),
    N_("code: 2-64 letters, digits, '.', '_' or '-'"),
    N_("login: 2-100 letters, digits, '.', '_', '@' or '-'"),
    N_("the period has not started yet"),
    N_("your role may not do this"),
    N_("only officers of a regulator or provincial department may do this"),
    N_("platforms may only see their own inbox"),
    N_("only a platform's editors and machine tokens may do this"),
    N_("this directive was issued by another organisation"),
    N_("wrong login or password"),
    N_("invalid audience"),
    N_("you cannot deactivate yourself"),
    N_("you cannot deactivate your own organisation"),
)


def error_text(exc: HubError) -> str:
    """A domain error as a sentence for the page."""
    text = gettext(exc.message)
    return text[:1].upper() + text[1:]
