"""Files in: personas, texts and relations from JSONL, CSV, Parquet and Character Cards.

``import_file`` imports one file (``importer``); ``records`` turns one input record into the row
the store writes; ``texts`` reads source texts for Text-to-Persona.
"""

from personagraph.ingest.importer import ImportReport, import_file
from personagraph.ingest.texts import import_texts, read_texts

__all__ = ["ImportReport", "import_file", "import_texts", "read_texts"]
