"""The notification e-mail preference on /account: direct, a daily digest, or off; and for staff,
how new items of the moderators' queues reach them (app.staff_alerts).

A module of its own on the account blueprint (imported by the package's __init__), so the
notifications feature keeps its settings together. `account/_notification_settings.html` renders
the form; a context processor of the account blueprint supplies it to the account pages.
"""
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired

from app.blueprints.account.routes import bp
from app.extensions import limiter
from app.models.notifications import (
    EMAIL_CHOICES,
    EMAIL_DIGEST,
    EMAIL_OFF,
    STAFF_ALERT_CHOICES,
    STAFF_DAILY,
    STAFF_NONE,
)
from app.permissions import can_view_admin
from app.validators import TextForm

SAVED = {
    EMAIL_OFF: "Opgeslagen: je krijgt geen e-mail meer over meldingen, alleen meldingen op de site.",
    EMAIL_DIGEST: "Opgeslagen: je krijgt één keer per dag een overzicht van je meldingen.",
}


class NotificationSettingsForm(TextForm):
    notify_email = RadioField(
        "E-mail over meldingen",
        choices=[SelectChoice(value, label) for value, label in EMAIL_CHOICES.items()],
        validate_choice=False,  # AnyOf below says it in Dutch
        validators=[
            DataRequired("Kies hoe je e-mail over meldingen wilt krijgen."),
            AnyOf(list(EMAIL_CHOICES), message="Kies een van de drie mogelijkheden."),
        ],
    )
    submit_notifications = SubmitField("Voorkeur opslaan")


STAFF_SAVED = {
    STAFF_DAILY: "Opgeslagen: je ziet nieuwe items in je meldingen en krijgt elke ochtend om 08:00 "
                 "één e-mail met wat er wacht.",
    STAFF_NONE: "Opgeslagen: je krijgt geen meldingen of e-mail meer over nieuwe items. Wat er wacht, "
                "zie je in de kopregel en op de beheerpagina.",
}


class StaffAlertsForm(TextForm):
    staff_alerts = RadioField(
        "Hoe wil je het horen?",
        choices=[SelectChoice(value, label) for value, label in STAFF_ALERT_CHOICES.items()],
        validate_choice=False,  # AnyOf below says it in Dutch
        validators=[
            DataRequired("Kies hoe je over nieuwe items wilt horen."),
            AnyOf(list(STAFF_ALERT_CHOICES), message="Kies een van de drie mogelijkheden."),
        ],
    )
    submit_staff_alerts = SubmitField("Keuze opslaan")


def settings_form(user):
    """The form filled with the person's current choice (for a GET of the account page)."""
    return NotificationSettingsForm(formdata=None, notify_email=user.notify_email)


@bp.context_processor
def inject_notification_form():
    # Every page of the account blueprint that includes the partial gets the form without its
    # view having to know about it; a view that passes notification_form itself wins.
    if not current_user.is_authenticated:
        return {}
    forms = {"notification_form": settings_form(current_user)}
    if can_view_admin(current_user):
        forms["staff_alerts_form"] = StaffAlertsForm(formdata=None,
                                                     staff_alerts=current_user.staff_alerts)
    return forms


@bp.route("/meldingen", methods=["POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"])
def notification_settings():
    form = NotificationSettingsForm()
    if not form.validate_on_submit():
        return render_template("account/notification_settings.html", notification_form=form), 400
    current_user.notify_email = form.notify_email.data
    flash(SAVED.get(form.notify_email.data,
                    "Opgeslagen: je krijgt meldingen direct per e-mail, een paar tegelijk."), "success")
    return redirect(url_for("account.index", _anchor="meldingen"))


@bp.route("/moderatormeldingen", methods=["POST"])
@login_required
@limiter.limit("30 per hour", methods=["POST"])
def staff_alert_settings():
    if not can_view_admin(current_user):
        abort(403)
    form = StaffAlertsForm()
    if not form.validate_on_submit():
        return render_template("account/notification_settings.html", staff_alerts_form=form,
                               only_staff_alerts=True), 400
    current_user.staff_alerts = form.staff_alerts.data
    flash(STAFF_SAVED.get(form.staff_alerts.data,
                          "Opgeslagen: je krijgt bij elk nieuw item een melding en een e-mail."),
          "success")
    return redirect(url_for("account.index", _anchor="moderatormeldingen"))
