"""Forms of forum moderation (hide, move, handle reports) and of managing the groups."""
import re

from flask import current_app
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.forum.moderation import slug_taken
from app.validators import NoControlCharacters, TextForm, normalise_body, normalise_title

MIN_HIDE_REASON = 3
MAX_HIDE_REASON = 500
MAX_NOTE = 500
MIN_GROUP_NAME = 2
MAX_GROUP_NAME = 100
MIN_SLUG = 2
MAX_SLUG = 80
MAX_GROUP_DESCRIPTION = 500
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def lower_filter(value):
    return value.strip().lower() if isinstance(value, str) else value


def reserved_forum_slugs():
    """First path segments the forum itself uses below /forum/ (e.g. "bericht" of the permalinks):
    a group with such an address could never be reached."""
    reserved = set()
    for rule in current_app.url_map.iter_rules():
        parts = rule.rule.split("/")
        if len(parts) > 2 and parts[1] == "forum" and parts[2] and "<" not in parts[2]:
            reserved.add(parts[2])
    return reserved


class HidePostForm(TextForm):
    reason = TextAreaField(
        "Reden",
        filters=[normalise_body],
        validators=[
            DataRequired(message="Schrijf waarom je dit bericht verbergt."),
            Length(min=MIN_HIDE_REASON, max=MAX_HIDE_REASON,
                   message=f"Een reden is {MIN_HIDE_REASON} tot {MAX_HIDE_REASON} tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Alleen moderatoren zien deze reden. Het bericht blijft voor hen leesbaar en "
                    "kan later worden teruggezet.",
        render_kw={"rows": 3, "maxlength": MAX_HIDE_REASON},
    )
    submit = SubmitField("Bericht verbergen")


class MoveThreadForm(TextForm):
    group = SelectField("Nieuwe groep", choices=[], validate_choice=False,
                        validators=[DataRequired(message="Kies een groep uit de lijst.")])
    submit = SubmitField("Discussie verplaatsen")

    def set_groups(self, groups):
        self.group.choices = [(str(group.id), group.name) for group in groups]

    def validate_group(self, field):
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Kies een groep uit de lijst.")


class ResolveReportForm(TextForm):
    note = TextAreaField(
        "Notitie (niet verplicht)",
        filters=[normalise_body],
        validators=[
            Optional(),
            Length(max=MAX_NOTE, message=f"Een notitie is hoogstens {MAX_NOTE} tekens lang."),
            NoControlCharacters(multiline=True),
        ],
    )


class GroupForm(TextForm):
    name = StringField(
        "Naam",
        filters=[normalise_title],
        validators=[
            DataRequired(message="Geef de groep een naam."),
            Length(min=MIN_GROUP_NAME, max=MAX_GROUP_NAME,
                   message=f"Een naam is {MIN_GROUP_NAME} tot {MAX_GROUP_NAME} tekens lang."),
            NoControlCharacters(),
        ],
        render_kw={"maxlength": MAX_GROUP_NAME},
    )
    slug = StringField(
        "Adres (slug)",
        filters=[lower_filter],
        validators=[
            DataRequired(message="Vul het adres van de groep in."),
            Length(min=MIN_SLUG, max=MAX_SLUG,
                   message=f"Een adres is {MIN_SLUG} tot {MAX_SLUG} tekens lang."),
        ],
        description="Kleine letters, cijfers en streepjes, bijvoorbeeld zorg-en-welzijn. De groep "
                    "komt op /forum/<adres>. Verander je het later, dan werken oude links niet meer.",
        render_kw={"maxlength": MAX_SLUG, "autocapitalize": "none", "spellcheck": "false"},
    )
    description = TextAreaField(
        "Beschrijving",
        filters=[normalise_body],
        validators=[
            Optional(),
            Length(max=MAX_GROUP_DESCRIPTION,
                   message=f"Een beschrijving is hoogstens {MAX_GROUP_DESCRIPTION} tekens lang."),
            NoControlCharacters(multiline=True),
        ],
        description="Staat openbaar in het overzicht van het forum: waar gaat deze groep over?",
        render_kw={"rows": 3, "maxlength": MAX_GROUP_DESCRIPTION},
    )
    submit = SubmitField("Opslaan")

    def __init__(self, *args, group_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._group_id = group_id

    def validate_slug(self, field):
        if not isinstance(field.data, str) or not SLUG_RE.match(field.data):
            raise ValidationError(
                "Gebruik alleen kleine letters, cijfers en streepjes (niet aan het begin of eind, "
                "niet twee achter elkaar)."
            )
        if field.data in reserved_forum_slugs():
            raise ValidationError("Dit adres gebruikt het forum zelf al. Kies een ander.")
        if slug_taken(field.data, except_id=self._group_id):
            raise ValidationError("Dit adres is al in gebruik door een andere groep. Kies een ander.")
