"""The typed attribute schema: normalisation, never inventing, import columns, ISCO codes, the carver fields."""

from __future__ import annotations

import pytest

from personagraph import isco
from personagraph.attribute_schema import (
    AttributesReply,
    PersonaAttributes,
    age_band_of,
    attributes_from_columns,
    string_list,
)
from personagraph.sampling.carver import CarverError, parse_where


def test_age_bands_cover_every_age() -> None:
    assert [age_band_of(a) for a in (0, 17, 18, 24, 25, 64, 65, 120)] == [
        "0-17", "0-17", "18-24", "18-24", "25-34", "55-64", "65+", "65+"
    ]  # fmt: skip
    assert age_band_of(None) is None


def test_unknown_values_are_left_out_not_guessed() -> None:
    attrs = PersonaAttributes.model_validate(
        {"gender": "purple", "age": "forty", "isco": "99", "education": "unknown", "country": " ", "openness": 0.9}
    )
    assert attrs.props() == {"openness": "high"}
    assert PersonaAttributes().props() == {}


def test_synonyms_and_derived_fields() -> None:
    attrs = PersonaAttributes.model_validate(
        {
            "gender": "F",
            "age": 47.0,
            "education": "Bachelors",
            "occupation": "Registered_Nurse",
            "settlement": "village",
        }
    )
    assert attrs.props() == {
        "gender": "female",
        "age": 47,
        "age_band": "45-54",  # from the age
        "education": "bachelor",
        "occupation": "Registered Nurse",
        "isco": "22",  # from the occupation words
        "settlement": "rural",
    }
    # A code the model gave wins over the keyword table.
    assert PersonaAttributes(occupation="nurse", isco="3").props()["isco"] == "3"


def test_the_reply_model_refuses_a_reply_that_ignores_the_schema() -> None:
    with pytest.raises(ValueError, match="lacks"):
        AttributesReply.model_validate({"unexpected": True})
    schema = AttributesReply.model_json_schema()
    assert set(schema["required"]) == set(PersonaAttributes.model_fields)
    assert "unknown" in schema["properties"]["gender"]["enum"] and "22" in schema["properties"]["isco"]["enum"]
    empty = AttributesReply.model_validate({name: None for name in PersonaAttributes.model_fields})
    assert empty.props() == {}


def test_nemotron_and_finepersonas_columns() -> None:
    nemotron = {
        "uuid": "x",
        "persona": "...",
        "sex": "Male",
        "age": 71,
        "marital_status": "never_married",
        "education_level": "9th_12th_no_diploma",
        "occupation": "truck_driver",
        "city": "Dayton",
        "state": "OH",
        "country": "USA",
        "hobbies_and_interests_list": "['fishing', 'bowling']",
    }
    assert attributes_from_columns(nemotron) == {
        "age": 71,
        "age_band": "65+",
        "gender": "male",
        "marital_status": "single",
        "education": "secondary",
        "occupation": "truck driver",
        "isco": "83",
        "city": "Dayton",
        "region": "OH",
        "country": "USA",
        "interests": ["fishing", "bowling"],
    }
    assert attributes_from_columns({"id": "1", "persona": "...", "labels": '["Maths", "Education"]'}) == {
        "interests": ["Maths", "Education"]
    }
    assert attributes_from_columns({"persona": "no attribute columns"}) == {}


def test_string_lists_and_isco_lookup() -> None:
    assert string_list("a, b, a") == ["a", "b"] and string_list('["x"]') == ["x"] and string_list("unknown") is None
    assert isco.code_for("software_developer") == "25" and isco.code_for("nurse and teacher") is None
    assert (
        isco.code_for(None) is None
        and isco.title("22") == "Health professionals"
        and isco.title("2") == "Professionals"
    )
    assert len(isco.SUB_MAJOR) == 43 and len(isco.MAJOR) == 10


def test_where_reads_attribute_fields() -> None:
    assert parse_where("age >= 50 and settlement = rural and age_band = '65+' and isco = 22") == [
        {"field": "age", "op": ">=", "value": 50},
        {"field": "settlement", "op": "=", "value": "rural"},
        {"field": "age_band", "op": "=", "value": "65+"},
        {"field": "isco", "op": "=", "value": "22"},
    ]
    with pytest.raises(CarverError, match="compares with = or !="):
        parse_where("gender > female")
    with pytest.raises(CarverError, match="needs a number"):
        parse_where("age = old")
