"""The self-scan questionnaire, kept as data: one JSON file per version in questionnaires/.

A stored answer names its question key and questionnaire version, so a new version can change
questions without breaking old scans. This module loads a version and turns submitted form data of
one step into typed values, with a Dutch message per invalid answer.

File format (questionnaires/v<N>.json):
    {"version": N, "consent_version": "...", "consent_text": "...",
     "dimensions": [{"key": "doel", "label": "Doel en nut", "scored": true, "description": "..."}],
     "eligibility": {"question": "<key>", "refuse": ["<value>", ...], "message": "..."},
     "profile_keys": {"name": "<key>", "sector": ..., "legal_form": ..., "location": ...,
                      "founded": ..., "members": ..., "challenges": ..., "lab": ...},
     "steps": [{"key": "profiel", "title": "...", "intro": "...", "dimension": "profiel",
                "questions": [QUESTION, ...]}]}
    QUESTION: {"key": "doel_leden_profiteren", "type": TYPE, "label": "...", "help": "...",
               "required": true, "dimension": "doel" (defaults to the step's),
               "options": [{"value": "x", "label": "..."}]  (single, multi),
               "max_choices": 3 (multi), "reversed": true (scale), "min"/"max" (number, year),
               "max_length": 200 (text)}
    TYPE: single | multi | scale (1-5 agreement) | number | year | text | municipality
A municipality answer is {"municipality": "...", "province": "...", "country": "NL"|"BE"}.
"""
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from app.models.collectives import COUNTRIES, PROVINCES_BE, PROVINCES_NL
from app.timeutil import utcnow
from app.validators import has_control_characters

QUESTIONNAIRE_DIR = Path(__file__).resolve().parent / "questionnaires"

SCALE_OPTIONS = [
    (1, "Helemaal oneens"),
    (2, "Oneens"),
    (3, "Neutraal"),
    (4, "Eens"),
    (5, "Helemaal eens"),
]
TYPES = {"single", "multi", "scale", "number", "year", "text", "municipality"}


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label: str
    dimension: str
    help: str = ""
    required: bool = True
    options: tuple = ()
    max_choices: int | None = None
    reversed: bool = False
    min: int | None = None
    max: int | None = None
    max_length: int = 200

    def option_label(self, value):
        if self.type == "scale":
            return dict(SCALE_OPTIONS).get(value, value)
        return dict(self.options).get(value, value)

    def display(self, value):
        """An answer as Dutch text for reports and the moderator's view."""
        if value is None or value == "" or value == []:
            return "—"
        if self.type == "multi":
            return ", ".join(str(self.option_label(v)) for v in value)
        if self.type == "municipality":
            parts = [value.get("municipality"), value.get("province"),
                     COUNTRIES.get(value.get("country"), value.get("country"))]
            return ", ".join(p for p in parts if p)
        if self.type in ("single", "scale"):
            return str(self.option_label(value))
        return str(value)


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str
    intro: str
    dimension: str
    questions: tuple = field(default_factory=tuple)


@dataclass(frozen=True)
class Questionnaire:
    version: int
    consent_version: str
    consent_text: str
    dimensions: dict  # key -> {"label", "scored", "description"}
    steps: tuple
    eligibility: dict
    profile_keys: dict  # role -> question key, e.g. "name" -> "profiel_naam"

    @property
    def step_count(self):
        """Question steps plus the final step (contact, consent, send)."""
        return len(self.steps) + 1

    def step(self, number):
        return self.steps[number - 1] if 1 <= number <= len(self.steps) else None

    def questions(self):
        return [q for step in self.steps for q in step.questions]

    def question(self, key):
        return self._by_key().get(key)

    def _by_key(self):
        return {q.key: q for q in self.questions()}

    def scored_dimensions(self):
        return [key for key, dim in self.dimensions.items() if dim.get("scored")]

    def profile_value(self, answers, role):
        """The answer that plays a known role (name, sector, location …), or None."""
        return answers.get(self.profile_keys.get(role))

    def refusal(self, answers):
        """The eligibility message when these answers rule the collective out, else None."""
        rule = self.eligibility or {}
        value = answers.get(rule.get("question"))
        if value is not None and value in rule.get("refuse", []):
            return rule.get("message")
        return None


def _build(data):
    steps = []
    for number, raw_step in enumerate(data["steps"], start=1):
        questions = []
        for raw in raw_step["questions"]:
            if raw["type"] not in TYPES:
                raise ValueError(f"unknown question type {raw['type']!r} for {raw['key']}")
            questions.append(Question(
                key=raw["key"],
                type=raw["type"],
                label=raw["label"],
                dimension=raw.get("dimension", raw_step.get("dimension", raw_step["key"])),
                help=raw.get("help", ""),
                required=raw.get("required", True),
                options=tuple((o["value"], o["label"]) for o in raw.get("options", [])),
                max_choices=raw.get("max_choices"),
                reversed=raw.get("reversed", False),
                min=raw.get("min"),
                max=raw.get("max"),
                max_length=raw.get("max_length", 200),
            ))
        steps.append(Step(
            number=number,
            key=raw_step["key"],
            title=raw_step["title"],
            intro=raw_step.get("intro", ""),
            dimension=raw_step.get("dimension", raw_step["key"]),
            questions=tuple(questions),
        ))
    keys = [q.key for s in steps for q in s.questions]
    if len(keys) != len(set(keys)):
        raise ValueError("question keys must be unique within a questionnaire")
    return Questionnaire(
        version=data["version"],
        consent_version=data["consent_version"],
        consent_text=data["consent_text"],
        dimensions={d["key"]: d for d in data["dimensions"]},
        steps=tuple(steps),
        eligibility=data.get("eligibility", {}),
        profile_keys=data.get("profile_keys", {}),
    )


@lru_cache(maxsize=None)
def load_questionnaire(version):
    path = QUESTIONNAIRE_DIR / f"v{int(version)}.json"
    with path.open(encoding="utf-8") as handle:
        return _build(json.load(handle))


def available_versions():
    return sorted(int(p.stem[1:]) for p in QUESTIONNAIRE_DIR.glob("v*.json"))


def current_questionnaire():
    return load_questionnaire(available_versions()[-1])


# -- reading one step's form data -------------------------------------------------------------

REQUIRED_MESSAGE = {
    "single": "Kies een antwoord.",
    "multi": "Kies minstens één antwoord.",
    "scale": "Kies hoe erg je het met deze uitspraak eens bent.",
    "number": "Vul een aantal in.",
    "year": "Vul een jaartal in.",
    "text": "Vul dit in.",
    "municipality": "Vul de gemeente in.",
}


def municipality_field_names(question):
    return (f"{question.key}__gemeente", f"{question.key}__provincie", f"{question.key}__land")


def parse_step(step, formdata):
    """Read a step's answers from form data: (values, errors), both keyed by question key.

    `values` holds every valid answer (also when other answers are invalid, so a person keeps what
    they typed); an unanswered optional question is None. `errors` maps keys to a Dutch message.
    """
    values, errors = {}, {}
    for question in step.questions:
        try:
            values[question.key] = _parse_one(question, formdata)
        except _Invalid as exc:
            errors[question.key] = str(exc)
            continue
        if values[question.key] in (None, "", []) and question.required:
            errors[question.key] = REQUIRED_MESSAGE[question.type]
    return values, errors


class _Invalid(ValueError):
    pass


def _text(formdata, name, max_length):
    value = formdata.get(name, "")
    if not isinstance(value, str):
        raise _Invalid("Dit antwoord kunnen we niet lezen.")
    value = value.strip()
    if has_control_characters(value) or "\n" in value or "\r" in value:
        raise _Invalid("Dit antwoord bevat onzichtbare tekens die we niet kunnen opslaan.")
    if len(value) > max_length:
        raise _Invalid(f"Gebruik hoogstens {max_length} tekens.")
    return value


def _parse_one(question, formdata):
    name = question.key
    if question.type == "single":
        value = _text(formdata, name, 100)
        if not value:
            return None
        if value not in dict(question.options):
            raise _Invalid("Kies een van de antwoorden uit de lijst.")
        return value
    if question.type == "multi":
        chosen = formdata.getlist(name) if hasattr(formdata, "getlist") else formdata.get(name, [])
        allowed = dict(question.options)
        picked = []
        for value in chosen:
            if value not in allowed:
                raise _Invalid("Kies alleen antwoorden uit de lijst.")
            if value not in picked:
                picked.append(value)
        if question.max_choices and len(picked) > question.max_choices:
            raise _Invalid(f"Kies er hoogstens {question.max_choices}.")
        return picked
    if question.type == "scale":
        value = _text(formdata, name, 2)
        if not value:
            return None
        if value not in {"1", "2", "3", "4", "5"}:
            raise _Invalid("Kies een van de vijf antwoorden.")
        return int(value)
    if question.type in ("number", "year"):
        value = _text(formdata, name, 12).replace(".", "").replace(" ", "")
        if not value:
            return None
        if not value.isdigit():
            raise _Invalid("Vul een heel getal in, zonder letters of leestekens.")
        number = int(value)
        low = question.min if question.min is not None else 0
        high = question.max
        if question.type == "year":
            high = min(high or utcnow().year, utcnow().year)
            low = question.min if question.min is not None else 1800
        if number < low or (high is not None and number > high):
            if high is None:
                raise _Invalid(f"Vul een getal van {low} of meer in.")
            raise _Invalid(f"Vul een getal tussen {low} en {high} in.")
        return number
    if question.type == "text":
        value = _text(formdata, name, question.max_length)
        return value or None
    if question.type == "municipality":
        town_name, province_name, country_name = municipality_field_names(question)
        town = _text(formdata, town_name, 100)
        province = _text(formdata, province_name, 40)
        country = _text(formdata, country_name, 2) or "NL"
        if not town and not province:
            return None
        if country not in COUNTRIES:
            raise _Invalid("Kies Nederland of België.")
        provinces = PROVINCES_NL if country == "NL" else PROVINCES_BE
        if province not in provinces:
            raise _Invalid(f"Kies een provincie in {COUNTRIES[country]}.")
        if not town:
            raise _Invalid("Vul de gemeente in.")
        return {"municipality": town, "province": province, "country": country}
    raise _Invalid("Onbekend soort vraag.")
