"""Typed persona attributes: one schema for what the LLM extracts and what imported files carry.

Every field is optional and ``"unknown"`` is a valid answer: a field the text does not support stays
unknown and is not stored. Categorical fields are lower-case words from fixed lists, so
``--where "gender = female and age_band = '25-34'"`` and Cypher (``p.settlement = 'rural'``) compare
exact values. Values outside a list are read through a few synonyms (``F``, ``woman`` → ``female``)
and otherwise become unknown rather than failing a whole record: a guessed value would be worse.

Stored as flat node properties (``props``); where they came from is kept beside them:
``attrs_source`` (``llm`` or ``import``), and for the LLM ``attrs_model``, ``attrs_prompt``
(prompt name@version) and ``attrs_at``. Pure code: no store, no I/O.
"""

from __future__ import annotations

import ast
import json
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from personagraph import isco

UNKNOWN = "unknown"
AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
GENDERS = ("female", "male", "non-binary")
SETTLEMENTS = ("urban", "suburban", "rural")
EDUCATION = ("none", "primary", "secondary", "post-secondary", "bachelor", "postgraduate")
MARITAL = ("single", "partnered", "married", "separated", "divorced", "widowed")
LIFE_STAGES = ("child", "teenager", "student", "early career", "mid career", "late career", "retired")
LEVELS = ("low", "medium", "high")
BIG_FIVE = ("openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism")

AgeBand = Literal["0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown"]
Gender = Literal["female", "male", "non-binary", "unknown"]
Settlement = Literal["urban", "suburban", "rural", "unknown"]
Education = Literal["none", "primary", "secondary", "post-secondary", "bachelor", "postgraduate", "unknown"]
Marital = Literal["single", "partnered", "married", "separated", "divorced", "widowed", "unknown"]
LifeStage = Literal["child", "teenager", "student", "early career", "mid career", "late career", "retired", "unknown"]
Level = Literal["low", "medium", "high", "unknown"]
ISCO_VALUES: list[Any] = [*sorted(isco.CODES), UNKNOWN]  # the normaliser turns anything else into unknown

# Words files and models use for the same value (Nemotron-Personas writes snake_case census codes).
SYNONYMS: dict[str, dict[str, str]] = {
    "gender": {"f": "female", "woman": "female", "w": "female", "m": "male", "man": "male", "nonbinary": "non-binary"},
    "settlement": {"city": "urban", "town": "urban", "suburb": "suburban", "countryside": "rural", "village": "rural"},
    "education": {
        "less_than_9th": "primary",
        "elementary": "primary",
        "9th_12th_no_diploma": "secondary",
        "high_school": "secondary",
        "high school": "secondary",
        "some_college": "post-secondary",
        "associates": "post-secondary",
        "vocational": "post-secondary",
        "bachelors": "bachelor",
        "bachelor's": "bachelor",
        "graduate": "postgraduate",
        "master": "postgraduate",
        "masters": "postgraduate",
        "doctorate": "postgraduate",
        "phd": "postgraduate",
    },
    "marital_status": {
        "never_married": "single",
        "married_present": "married",
        "married_absent": "married",
        "domestic partnership": "partnered",
        "widow": "widowed",
    },
    "life_stage": {"early_career": "early career", "mid_career": "mid career", "late_career": "late career"},
}
CHOICES: dict[str, tuple[str, ...]] = {
    "age_band": AGE_BANDS,
    "gender": GENDERS,
    "settlement": SETTLEMENTS,
    "education": EDUCATION,
    "marital_status": MARITAL,
    "life_stage": LIFE_STAGES,
    **dict.fromkeys(BIG_FIVE, LEVELS),
}
TEXT_FIELDS = ("occupation", "industry", "country", "region", "city")
LIST_FIELDS = ("languages", "interests")
# Property name -> kind, for filters: "int" compares as a number, "str" by exact value.
FIELD_KINDS: dict[str, str] = {"age": "int", "isco": "str", **dict.fromkeys([*CHOICES, *TEXT_FIELDS], "str")}
PROVENANCE = ("attrs_source", "attrs_model", "attrs_prompt", "attrs_at")


def age_band_of(age: int | None) -> str | None:
    """The band an age falls in (``AGE_BANDS``)."""
    if age is None:
        return None
    for band in AGE_BANDS[:-1]:
        low, high = (int(x) for x in band.split("-"))
        if low <= age <= high:
            return band
    return "65+"


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in ("", UNKNOWN, "n/a", "na", "none", "null", "not stated")


def choice(field: str, value: Any) -> str:
    """``value`` as one of the field's words, or ``unknown``."""
    if _blank(value):
        return UNKNOWN
    word = str(value).strip().lower()
    word = SYNONYMS.get(field, {}).get(word, word)
    if word not in CHOICES[field]:
        word = word.replace("_", " ").replace("–", "-")
        word = SYNONYMS.get(field, {}).get(word, word)
    return word if word in CHOICES[field] else UNKNOWN


def level(value: Any) -> str:
    """A Big Five level from a word or a score (0-1 or 0-100, split in thirds)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not _blank(value):
        score = float(value) / (100.0 if value > 1 else 1.0)
        return "low" if score < 1 / 3 else ("medium" if score < 2 / 3 else "high")
    return choice("openness", value)


def string_list(value: Any) -> list[str] | None:
    """A list of strings from a list, a JSON or Python list literal, or comma-separated text."""
    if _blank(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            for reader in (json.loads, ast.literal_eval):
                try:
                    value = reader(text)
                    break
                except (ValueError, SyntaxError):
                    continue
        if isinstance(value, str):
            value = value.split(",")
    items = value if isinstance(value, (list, tuple)) else [value]
    out = [str(v).strip() for v in items if not _blank(v) and str(v).strip()]
    return list(dict.fromkeys(out))[:20] or None


class PersonaAttributes(BaseModel):
    """What can be said about a persona; ``unknown`` (or null) wherever the text does not say."""

    model_config = ConfigDict(extra="ignore")

    age: int | None = Field(default=None, ge=0, le=120, description="age in years if stated or clearly implied")
    age_band: AgeBand = "unknown"
    gender: Gender = "unknown"
    occupation: str | None = Field(default=None, description="occupation or role in a few words")
    isco: str = Field(
        default=UNKNOWN,
        description="ISCO-08 sub-major group (2 digits) or major group (1)",
        json_schema_extra={"enum": ISCO_VALUES},
    )
    industry: str | None = None
    country: str | None = None
    region: str | None = Field(default=None, description="state, province or region within the country")
    city: str | None = None
    settlement: Settlement = "unknown"
    languages: list[str] | None = None
    education: Education = "unknown"
    marital_status: Marital = "unknown"
    life_stage: LifeStage = "unknown"
    interests: list[str] | None = None
    openness: Level = "unknown"
    conscientiousness: Level = "unknown"
    extraversion: Level = "unknown"
    agreeableness: Level = "unknown"
    neuroticism: Level = "unknown"

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        age = data.get("age")
        if _blank(age) or isinstance(age, bool):
            data["age"] = None
        else:
            try:
                number = float(age)
                data["age"] = int(number) if 0 <= number <= 120 else None
            except (TypeError, ValueError):
                data["age"] = None
        if "age_band" in data:
            band = str(data["age_band"] or "").strip().lower().replace(" to ", "-").replace("–", "-").replace(" ", "")
            data["age_band"] = band if band in AGE_BANDS else UNKNOWN
        for name in CHOICES:
            if name in data and name != "age_band":
                data[name] = level(data[name]) if name in BIG_FIVE else choice(name, data[name])
        code = data.get("isco")
        data["isco"] = str(code).strip() if not _blank(code) and str(code).strip() in isco.CODES else UNKNOWN
        for name in TEXT_FIELDS:
            value = data.get(name)
            data[name] = None if _blank(value) else " ".join(str(value).replace("_", " ").split())[:200]
        for name in LIST_FIELDS:
            data[name] = string_list(data.get(name))
        return data

    def filled(self) -> PersonaAttributes:
        """Derived values: the age band from the age, the ISCO group from the occupation words."""
        update: dict[str, Any] = {}
        if self.age is not None:
            update["age_band"] = age_band_of(self.age)
        if self.isco == UNKNOWN:
            update["isco"] = isco.code_for(self.occupation) or UNKNOWN
        return self.model_copy(update=update)

    def props(self) -> dict[str, Any]:
        """Flat node properties of the known fields (unknowns left out)."""
        out: dict[str, Any] = {}
        for name, value in self.filled().model_dump().items():
            if value is None or value == UNKNOWN or value == []:
                continue
            out[name] = value
        return out


def unset_props() -> dict[str, None]:
    """Every attribute property set to null: written before new values so a redo leaves no stale field."""
    return dict.fromkeys(PersonaAttributes.model_fields, None)


# -- columns of imported files ------------------------------------------------------------------
# Our own property names, plus the columns of Nemotron-Personas (sex, age, marital_status,
# education_level, occupation, city, state, country, hobbies_and_interests_list, ...) and other
# census-style files. FinePersonas' ``labels`` (topic labels) are kept as ``labels`` by the importer
# and also read as interests.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "age": ("age",),
    "age_band": ("age_band", "age_group", "age_bracket"),
    "gender": ("gender", "sex"),
    "occupation": ("occupation", "profession", "job_title"),
    "isco": ("isco", "isco_code"),
    "industry": ("industry", "sector"),
    "country": ("country",),
    "region": ("region", "state", "province"),
    "city": ("city",),
    "settlement": ("settlement", "urban_rural", "area_type"),
    "languages": ("languages", "language"),
    "education": ("education", "education_level"),
    "marital_status": ("marital_status",),
    "life_stage": ("life_stage",),
    "interests": ("interests", "hobbies_and_interests_list", "labels"),
    **{name: (name,) for name in BIG_FIVE},
}
ATTRIBUTE_COLUMNS: frozenset[str] = frozenset(c for names in COLUMN_ALIASES.values() for c in names)


def attributes_from_columns(record: dict[str, Any]) -> dict[str, Any]:
    """Attribute properties read from a file record's columns (empty when it has none)."""
    if ATTRIBUTE_COLUMNS.isdisjoint(record):
        return {}
    data: dict[str, Any] = {}
    for name, columns in COLUMN_ALIASES.items():
        for column in columns:
            if column in record and not _blank(record[column]):
                data[name] = record[column]
                break
    if not data:
        return {}
    return PersonaAttributes.model_validate(data).props()


def _all_required(schema: dict[str, Any]) -> None:
    schema["required"] = list(schema.get("properties", {}))


class AttributesReply(PersonaAttributes):
    """The LLM's answer: every field present (a value, ``unknown`` or null), so a reply that ignores the
    schema is refused (and asked again) instead of reading as "nothing known"."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_all_required)

    @model_validator(mode="before")
    @classmethod
    def _complete(cls, data: Any) -> Any:
        if isinstance(data, dict):
            missing = [name for name in PersonaAttributes.model_fields if name not in data]
            if missing:
                raise ValueError(f"reply lacks {len(missing)} fields, e.g. {', '.join(missing[:3])}")
        return data
