"""Domain errors with stable codes. The core raises them with the values a person knows (a platform code, a
reference number, a period); each adapter translates them once, by code: an HTTP status and a JSON body, a socket
answer, or a message on the page in the reader's language (``MESSAGES`` holds the English text of every code, the
catalogues its translations)."""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError


def N_(message: str) -> str:
    """Mark a message for the catalogues (pybabel extracts ``N_``) without translating it here."""
    return message


MESSAGES: dict[str, str] = {
    # attachments (evidence of implementation reports)
    "attachment_empty": N_("the file %(name)s is empty"),
    "attachment_too_large": N_("the file %(name)s is larger than %(limit)s"),
    "attachment_type_not_allowed": N_("the file %(name)s is not a PNG or JPEG image or a PDF document"),
    "attachment_too_many": N_("a report may carry at most %(limit)s files"),
    "attachment_not_found": N_("this attachment does not exist"),
    "attachment_missing": N_("choose at least one file"),
    "attachment_not_pdf": N_("the file %(name)s is not a PDF document"),
    "attachment_directive_not_draft": N_("documents can be attached to “%(title)s” only while it is a draft"),
    "attachment_base64_invalid": N_("content_base64: not valid base64"),
    # who may do what
    "role_not_allowed": N_("your role may not do this"),
    "officers_only": N_("only officers of a regulator or provincial department may do this"),
    "own_inbox_only": N_("platforms may only see their own inbox"),
    "platforms_only": N_("only a platform's editors and machine tokens may do this"),
    "admin_only_checkpoint": N_("only an administrator may take a checkpoint"),
    "province_scope_only": N_("a provincial department sees only its own province"),
    "out_of_scope": N_("your department may address only platforms of its own province, not: %(names)s"),
    # signing in, sessions and tokens
    "sign_in_required": N_("sign in or send 'Authorization: Bearer <token>'"),
    "wrong_credentials": N_("wrong login or password"),
    "sign_in_again": N_("sign in again"),
    "session_ended": N_("the session has ended; sign in again"),
    "session_expired": N_("the session has expired; sign in again"),
    "token_malformed": N_("missing or malformed token"),
    "token_unknown": N_("unknown or revoked token"),
    "token_text_required": N_("token: text is required"),
    "token_organisation_inactive": N_("the token's organisation is inactive"),
    "token_user_inactive": N_("the token's user is inactive"),
    "token_has_no_password": N_("a machine token has no password"),
    "token_cannot_list_users": N_("a machine token cannot list users"),
    "token_cannot_revoke": N_("a machine token cannot revoke tokens"),
    "token_owner_ambiguous": N_("give exactly one of platform_id and user_id"),
    "token_label_invalid": N_("label: 1-100 characters"),
    "token_not_found": N_("this token does not exist"),
    # organisations and users
    "organisation_not_found": N_("this organisation does not exist"),
    "organisation_code_unknown": N_("no organisation has the code %(code)s"),
    "organisation_code_taken": N_("an organisation with code %(code)s exists"),
    "organisation_code_invalid": N_("code: 2-64 letters, digits, '.', '_' or '-'"),
    "organisation_name_invalid": N_("name: 1-300 characters"),
    "organisation_kind_invalid": N_("kind: regulator, province or platform"),
    "province_invalid": N_("province: one of %(choices)s"),
    "province_taken": N_("province %(province)s already has a department"),
    "platform_kind_invalid": N_("platform_kind: news_site or social_network"),
    "platform_not_found": N_("this platform does not exist"),
    "platform_inactive": N_("this platform is no longer active"),
    "cannot_deactivate_own_organisation": N_("you cannot deactivate your own organisation"),
    "user_not_found": N_("this user does not exist"),
    "mail_preference_invalid": N_("choose how to receive e-mail: %(choices)s"),
    "locale_invalid": N_("choose a language: %(choices)s"),
    "account_needs_person": N_("a platform's machine token has no account of its own: use a personal token or sign in"),
    "role_invalid": N_("role: admin, officer, editor or manager"),
    "role_not_for_organisation": N_("a %(kind)s organisation cannot have the role %(role)s"),
    "login_invalid": N_("login: 2-100 letters, digits, '.', '_', '@' or '-'"),
    "login_taken": N_("the login %(login)s is taken"),
    "display_name_invalid": N_("display_name: 1-200 characters"),
    "password_too_short": N_("a password needs at least 10 characters"),
    "password_too_long": N_("a password may have at most 256 characters"),
    "password_wrong": N_("the current password is wrong"),
    "cannot_change_own_role": N_("you cannot change your own role"),
    "cannot_reset_own_password": N_("change your own password on your account page"),
    "cannot_deactivate_self": N_("you cannot deactivate yourself"),
    # directives
    "directive_not_found": N_("this directive does not exist or is not yours to see"),
    "directive_of_another_organisation": N_("this directive was issued by another organisation"),
    "directive_not_in_inbox": N_("this directive is not in your inbox"),
    "directive_revoked": N_("this directive was revoked; nothing more is needed"),
    "directive_amended": N_("this directive was amended by %(ref_no)s; act on that one"),
    "directive_expired": N_("this directive has expired"),
    "audience_invalid": N_("invalid audience"),
    "audience_empty": N_("the audience is empty: choose all platforms, provinces, kinds or platforms"),
    "audience_matches_none": N_("the audience matches no platform"),
    "platforms_unknown": N_("unknown platforms: %(platforms)s"),
    "publish_at_past": N_("publish_at must be in the future"),
    "publish_at_invalid": N_("publish_at must be a future time with a time zone"),
    "ack_due_before_publication": N_("ack_due_at must be after the publication time"),
    "implement_due_before_publication": N_("implement_due_at must be after the publication time"),
    "expires_before_publication": N_("expires_at must be after the publication time"),
    "implement_due_before_ack_due": N_("implement_due_at cannot be before ack_due_at"),
    "expires_before_implement_due": N_("expires_at cannot be before implement_due_at"),
    "only_drafts_editable": N_("only drafts and scheduled directives can be edited; amend a published one"),
    "cannot_publish": N_("a directive that is %(status)s cannot be published"),
    "cannot_schedule": N_("a directive that is %(status)s cannot be scheduled"),
    "cannot_amend": N_("only a published directive that has not been amended can be amended"),
    "amendment_pending": N_("an amendment of this directive is already scheduled"),
    "reason_required": N_("a reason of 1-2000 characters is required"),
    "cannot_revoke_expired": N_("an expired directive cannot be revoked"),
    # deliveries, reports, questions, reminders
    "delivery_not_found": N_("this delivery does not exist or is not yours to see"),
    "delivery_not_in_inbox": N_("no such delivery in your inbox"),
    "delivery_target_missing": N_("give directive_id or seq"),
    "delivery_state_invalid": N_("state: acknowledged, in_progress, implemented or declined"),
    "delivery_already_final": N_("the delivery is already %(state)s"),
    "delivery_cannot_go_back": N_("cannot go back from %(current)s to %(target)s"),
    "report_too_long": N_("the report may have at most %(max)s characters"),
    "decline_needs_reason": N_("declining needs a reason (in 'report')"),
    "implemented_needs_report": N_("reporting implemented needs a report of what was done"),
    "verdict_invalid": N_("verdict: verified or returned"),
    "return_needs_note": N_("say what more is needed (note)"),
    "review_not_ready": N_("only an implemented or declined delivery can be reviewed"),
    "question_invalid": N_("a question of 1-5000 characters is required"),
    "answer_invalid": N_("an answer of 1-5000 characters is required"),
    "question_not_found": N_("this question does not exist"),
    "question_answered": N_("this question is already answered"),
    "reminder_directive_closed": N_("nothing more is owed on a directive that is %(status)s or amended"),
    "reminder_already_reported": N_("the platform has already reported this directive %(state)s"),
    # webhooks
    "webhook_url_invalid": N_("url: an absolute URL of at most %(max)s characters, without spaces"),
    "webhook_url_scheme": N_("url: must be an https:// URL with a host"),
    "webhook_url_http": N_("url: plain http is allowed only by the regulator's admin; use https"),
    "webhook_url_credentials": N_("url: may not carry a user name or password"),
    "webhook_url_fragment": N_("url: may not carry a #fragment"),
    "webhook_url_port": N_("url: the port is not a number between 0 and 65535"),
    "webhook_url_hub": N_("url: may not point at the hub itself or at localhost"),
    "webhook_url_internal": N_("url: %(host)s is an internal address"),
    "webhook_url_unresolved": N_("url: %(host)s does not resolve"),
    "webhook_url_resolves_internal": N_("url: %(host)s resolves to an internal address (%(address)s)"),
    "webhook_allowance_admin_only": N_("only the regulator's admin may allow internal addresses or plain http"),
    "webhook_exists": N_("platform %(code)s already has a webhook; remove it first"),
    "webhook_not_found": N_("this webhook does not exist"),
    "webhook_managers_only": N_("only the platform's editors (signed in) or the regulator's admin manage its webhook"),
    # metrics
    "metrics_loopback_or_token": N_("metrics are served to this machine, or with an admin's bearer token"),
    "metrics_admin_token": N_("metrics need an admin's token"),
    # bulk actions and templates
    "bulk_verify_count": N_("choose 1-%(max)s reports to verify"),
    "bulk_verify_foreign": N_("every report to verify must be one of this directive's"),
    "template_name_invalid": N_("a template name of 1-200 characters is required"),
    "template_not_found": N_("this template does not exist"),
    "template_content_invalid": N_("the saved content no longer passes the composer's checks"),
    # ratio reports
    "period_not_started": N_("the period has not started yet"),
    "period_ends_before_start": N_("period_end is before period_start"),
    "period_too_long": N_("a period may span at most a year"),
    "negative_exceeds_published": N_("negative_items cannot exceed items_published"),
    "ratio_report_not_found": N_("this report does not exist or is not yours"),
    "period_overlaps": N_("this period overlaps your report for %(start)s – %(end)s"),
    # lists and paging
    "page_invalid": N_("page starts at 1"),
    "per_page_invalid": N_("per_page: 1-%(max)s"),
    "status_filter_invalid": N_("status: %(choices)s"),
    "state_filter_invalid": N_("state: %(choices)s"),
    "inbox_sort_invalid": N_("sort: %(choices)s"),
    "filter_choice_invalid": N_("%(field)s: %(choices)s"),
    "sort_invalid": N_("sort: one of %(choices)s (prefix '-' for descending)"),
    "inbox_window_invalid": N_("since >= 0 and 1 <= limit <= %(max)s"),
    # what machine clients send (JSON API and sockets)
    "body_not_json": N_("send a JSON body with 'Content-Type: application/json'"),
    "body_malformed": N_("the body is not valid JSON: %(reason)s"),
    "body_not_object": N_("the body must be a JSON object"),
    "text_unstorable": N_("%(field)s: may not contain NUL characters or unpaired surrogates"),
    "event_arguments": N_("send exactly one object as the event's data"),
    "event_not_object": N_("the event's data must be an object"),
    "event_too_large": N_("the event's data may have at most %(max)s bytes"),
    "event_text_unstorable": N_("text may not contain NUL characters or unpaired surrogates"),
    "event_not_json": N_("the event's data is not plain JSON"),
    "number_invalid": N_("%(field)s: a whole number from %(min)s to %(max)s is required"),
    "text_required": N_("%(field)s: text is required"),
    "fields_unknown": N_("unknown field(s): %(fields)s"),
    "console_sign_in_first": N_("sign in first"),
    "platform_credentials_missing": N_("send auth={'token': ...} or sign in"),
    "event_unknown": N_("unknown event %(event)s: send receipt, acknowledge, status, question or sync"),
    "event_name_not_text": N_("an event's name must be text"),
    "event_name_reserved": N_("%(name)s is a name Socket.IO reserves; a client may not send it as an event"),
    "socket_not_connected": N_("this socket is not connected"),
    "replay_running": N_("a replay is still running on this socket; try again"),
    "receipt_unavailable": N_("the receipt could not be recorded now; send it again"),
    "change_unavailable": N_("the change could not be recorded now; send it again"),
    "event_unavailable": N_("the hub could not handle this event now; try again"),
}


def invalid_field(code: str, **values: Any) -> PydanticCustomError:
    """A refusal inside a pydantic validator, typed by its code (so that the pages translate it like a HubError)."""
    return PydanticCustomError(code, MESSAGES[code], values or None)


class HubError(Exception):
    """Base of every error raised on purpose.

    ``kind`` says what sort of refusal it is (each adapter maps it to its medium: an HTTP status, a socket answer);
    ``code`` names the message (a key of ``MESSAGES``) and ``values`` fill it; ``message`` is the English text."""

    kind = "error"

    def __init__(self, code: str, /, *, details: Any = None, **values: Any) -> None:
        self.code = code
        self.values = values
        self.details = details
        self.message = MESSAGES[code] % values if values else MESSAGES[code]
        super().__init__(self.message)


class InvalidInput(HubError):
    kind = "invalid_input"


class Unauthenticated(HubError):
    kind = "unauthenticated"


class Forbidden(HubError):
    kind = "forbidden"


class NotFound(HubError):
    kind = "not_found"


class Conflict(HubError):
    kind = "conflict"


class InvalidTransition(HubError):
    kind = "invalid_transition"


class Unavailable(HubError):
    """The hub could not do it now (database or writer trouble); the caller may retry."""

    kind = "unavailable"


class MalformedJson(HubError):
    """A request body that is not JSON at all."""

    kind = "malformed_json"
