"""Typed persona attributes extracted by the LLM (the schema itself is ``personagraph.attribute_schema``)."""

from personagraph.attributes.extract import (
    AttributeOptions,
    AttributeReport,
    attribute_coverage,
    attributes_dry_run,
    extract_attributes,
)

__all__ = ["AttributeOptions", "AttributeReport", "attribute_coverage", "attributes_dry_run", "extract_attributes"]
