"""The notification e-mail preference on /account: direct, a daily digest, or off.

A module of its own on the account blueprint (imported by the package's __init__), so the
notifications feature keeps its settings together. `account/_notification_settings.html` renders
the form; a context processor of the account blueprint supplies it to the account pages.
"""
from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired

from app.blueprints.account.routes import bp
from app.extensions import limiter
from app.models.notifications import EMAIL_CHOICES, EMAIL_DIGEST, EMAIL_OFF
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


def settings_form(user):
    """The form filled with the person's current choice (for a GET of the account page)."""
    return NotificationSettingsForm(formdata=None, notify_email=user.notify_email)


@bp.context_processor
def inject_notification_form():
    # Every page of the account blueprint that includes the partial gets the form without its
    # view having to know about it; a view that passes notification_form itself wins.
    if not current_user.is_authenticated:
        return {}
    return {"notification_form": settings_form(current_user)}


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
