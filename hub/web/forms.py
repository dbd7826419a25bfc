"""The pages' forms (Flask-WTF, each with its CSRF token). They check shape and length; the core checks the rules."""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import NumberFormatError, parse_decimal
from flask_babel import format_number, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    MonthField,
    MultipleFileField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, TextInput

from hub.web.characters import MESSAGE as BAD_CHARACTERS
from hub.web.characters import refuse_bad_characters

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
REQUIRED = _l("This field is required.")


def required() -> DataRequired:
    return DataRequired(message=REQUIRED)


def length(high: int, low: int = 0) -> Length:
    return Length(min=low, max=high, message=_l("Between %(min)d and %(max)d characters.", min=low, max=high))


def options(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """(value, label) pairs as the options of a select, radio or multiple-select field."""
    return [SelectChoice(value, label) for value, label in pairs]


def to_utc(value: datetime | None) -> datetime | None:
    """A time typed on the page (Asia/Ho_Chi_Minh wall clock) as aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC)


def local_input(value: datetime | None) -> datetime | None:
    """An aware UTC time as the wall-clock value a datetime-local input shows."""
    return value.astimezone(LOCAL_TZ).replace(tzinfo=None) if value else None


class LocalDateTimeField(DateTimeLocalField):
    """A datetime-local input read as Asia/Ho_Chi_Minh time."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators or [Optional()], format="%Y-%m-%dT%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Not a valid date and time.")) from None

    def utc(self) -> datetime | None:
        return to_utc(self.data)


class OptionalInt(IntegerField):
    def __init__(self, label=None, low: int = 0, high: int = 10**9, **kwargs):
        super().__init__(
            label,
            [Optional(), NumberRange(low, high, message=_l("Between %(min)s and %(max)s.", min=low, max=high))],
            **kwargs,
        )

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Not a whole number.")) from None


class Count(IntegerField):
    """A required whole number of zero or more (items, reports), written as people of the page's language write it:
    "1.200" is one thousand two hundred in Vietnamese, "1,200" in English; a decimal is not a count."""

    widget = TextInput()

    def __init__(self, label=None, **kwargs):
        validators = [InputRequired(message=REQUIRED), NumberRange(0, 10**12, message=_l("Must be 0 or more."))]
        super().__init__(label, validators, render_kw={"inputmode": "numeric", "autocomplete": "off"}, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            value = parse_decimal(valuelist[0].strip(), locale=str(get_locale() or "vi"), strict=True)
        except NumberFormatError:
            value = None
        if value is None or not value.is_finite() or value.as_tuple().exponent < 0:  # "1,5" is no count
            self.data = None
            raise ValueError(_l("Not a whole number."))
        self.data = int(value)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_number(self.data) if self.data is not None else ""


class Month(MonthField):
    """A required calendar month (one picker instead of two dates)."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, [InputRequired(message=REQUIRED)], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Not a valid month.")) from None

    @property
    def days(self) -> tuple[date, date]:
        """The first and last day of the chosen month."""
        first = self.data.replace(day=1)
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


class HubForm(FlaskForm):
    """Every page form: no field lets a NUL or an unpaired surrogate through (the field shows why instead)."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            options["filters"] = (*unbound_field.kwargs.get("filters", ()), refuse_bad_characters)
            return unbound_field.bind(form=form, **options)

    def error_or(self, hint: str) -> str:
        """For forms answered with one flashed line: the bad-character message when a field has it, else ``hint``."""
        bad = str(BAD_CHARACTERS)
        return bad if any(bad in [str(e) for e in field.errors] for field in self) else hint


class LoginForm(HubForm):
    login = StringField(_l("Login"), [required(), length(100)], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), [required(), length(256)], render_kw={"autocomplete": "current-password"})


class PasswordForm(HubForm):
    current = PasswordField(_l("Current password"), [required(), length(256)])
    new = PasswordField(_l("New password"), [required(), length(256, 10)], render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the new password"), [required(), EqualTo("new", message=_l("The two new passwords differ."))]
    )


class MailPreferencesForm(HubForm):
    notices = RadioField(
        _l("E-mail of non-urgent notices"),
        choices=options(
            [
                ("immediate", _l("At once")),
                ("digest", _l("One digest a day")),
                ("off", _l("None")),
            ]
        ),
    )
    locale = SelectField(
        _l("Language of pages and e-mails"),
        choices=options([("", _l("The hub's default")), ("vi", "Tiếng Việt"), ("en", "English")]),
    )


CHECKBOXES = {"widget": ListWidget(prefix_label=False), "option_widget": CheckboxInput()}


class DirectiveForm(HubForm):
    kind = SelectField(_l("Kind"), choices=[])
    title = StringField(_l("Title"), [required(), length(300)])
    body = TextAreaField(_l("Text (Markdown)"), [required(), length(50_000)], render_kw={"rows": 12})
    priority = SelectField(_l("Priority"), choices=[])
    audience_all = BooleanField(_l("All platforms"))
    # Checkboxes, not a multiple select: several can be chosen with the keyboard alone (Tab, Space), no Ctrl-click.
    provinces = SelectMultipleField(_l("Provinces"), choices=[], validate_choice=True, **CHECKBOXES)
    platform_kinds = SelectMultipleField(_l("Platform kinds"), choices=[], validate_choice=True, **CHECKBOXES)
    platforms = StringField(_l("Named platforms (codes, comma-separated)"), [Optional(), length(20_000)])
    legal_basis = StringField(_l("Legal basis"), [Optional(), length(500)])
    exercise = BooleanField(_l("Exercise (kept out of the statistics)"))
    publish_at = LocalDateTimeField(_l("Publish at (schedule)"))
    ack_due_at = LocalDateTimeField(_l("Acknowledge by"))
    implement_due_at = LocalDateTimeField(_l("Implement by"))
    expires_at = LocalDateTimeField(_l("Expires at"))
    remind_interval_minutes = OptionalInt(_l("Remind every (minutes)"), 5, 60 * 24 * 30)
    remind_limit = OptionalInt(_l("At most this many reminders"), 0, 50)
    escalate_after_minutes = OptionalInt(_l("Escalate after (minutes overdue)"), 0, 60 * 24 * 90)

    def platform_codes(self) -> list[str]:
        return [c.strip() for c in (self.platforms.data or "").replace("\n", ",").split(",") if c.strip()]

    def audience(self) -> dict:
        if self.audience_all.data:
            return {"all": True}
        return {
            "provinces": list(self.provinces.data or []),
            "platform_kinds": list(self.platform_kinds.data or []),
            "platforms": self.platform_codes(),
        }

    def validate_platforms(self, field) -> None:
        if len(self.platform_codes()) > 10_000:
            raise ValidationError(_l("At most 10,000 platforms."))


class RevokeForm(HubForm):
    reason = TextAreaField(_l("Reason"), [required(), length(2000)])
    confirm = BooleanField(_l("Yes, revoke this directive"), [DataRequired(message=_l("Tick the box to confirm."))])


class ReviewForm(HubForm):
    verdict = RadioField(_l("Verdict"), choices=options([("verified", _l("Verified")), ("returned", _l("Return"))]))
    note = TextAreaField(_l("Note"), [Optional(), length(5000)])


class AnswerForm(HubForm):
    text = TextAreaField(_l("Answer"), [required(), length(5000)])


class QuestionForm(HubForm):
    text = TextAreaField(_l("Your question"), [required(), length(5000)])


class StatusForm(HubForm):
    state = RadioField(
        _l("Status"),
        [InputRequired(message=REQUIRED)],
        choices=options(
            [
                ("in_progress", _l("In progress")),
                ("implemented", _l("Implemented")),
                ("declined", _l("Not applicable")),
            ]
        ),
    )
    report = TextAreaField(_l("Report (what was done, or why it does not apply)"), [Optional(), length(20_000)])
    evidence = MultipleFileField(_l("Evidence (screenshots PNG or JPEG, PDF documents)"))


class RatioForm(HubForm):
    month = Month(_l("Month"))
    items_published = Count(_l("Items published"))
    negative_items = Count(_l("Negative items"))
    note = TextAreaField(_l("Note"), [Optional(), length(5000)])
    report_id = IntegerField(widget=HiddenInput(), validators=[Optional()])  # the report this corrects
    directive_id = IntegerField(widget=HiddenInput(), validators=[Optional()])  # the request this answers

    def validate_negative_items(self, field) -> None:
        if field.data is not None and self.items_published.data is not None and field.data > self.items_published.data:
            raise ValidationError(_l("Negative items cannot exceed items published."))


class TokenForm(HubForm):
    label = StringField(_l("Label"), [required(), length(100)])


class PlatformForm(HubForm):
    code = StringField(_l("Code"), [required(), length(64, 2)])
    name = StringField(_l("Name"), [required(), length(300)])
    province = SelectField(_l("Province"), choices=[])
    platform_kind = SelectField(_l("Platform kind"), choices=[])
    licence_no = StringField(_l("Licence number"), [Optional(), length(100)])
    domains = StringField(_l("Domains (comma-separated)"), [Optional(), length(2000)])


class UserForm(HubForm):
    org_code = StringField(_l("Organisation code"), [required(), length(64)])
    role = SelectField(_l("Role"), choices=[])
    login = StringField(_l("Login"), [required(), length(100, 2)])
    display_name = StringField(_l("Display name"), [required(), length(200)])
    email = StringField(_l("E-mail"), [Optional(), length(254)])
    password = PasswordField(_l("Password"), [required(), length(256, 10)])


class RectifyForm(HubForm):
    title = StringField(_l("Title"), [required(), length(300)])
    body = TextAreaField(_l("What must be corrected (Markdown)"), [required(), length(50_000)], render_kw={"rows": 8})
    priority = SelectField(_l("Priority"), choices=[])
    legal_basis = StringField(_l("Legal basis"), [Optional(), length(500)])


class ConfirmForm(HubForm):
    """A button that only carries the CSRF token (acknowledge, publish a draft, revoke a token)."""
