"""The cast's GraphML and GEXF drop the characters XML 1.0 forbids and parse back with networkx
(an ESC or NUL in a persona used to make them ill-formed XML, exit 0)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from personagraph.cast.model import Cast, CastMember, CastRelation
from personagraph.cast.npc import npcs_from_texts
from personagraph.export.cast import export_cast
from personagraph.export.xml_text import xml_clean, xml_escape
from personagraph.ids import persona_id

TEXTS = [
    "A nurse \x1b[31min red\x1b[0m who keeps a NUL\x00 in her notes",
    "A welder with a form feed\x0c and a \ufffe non-character",
    "A coach with <tags> & ampersands\r\nand CRLF",
]


def test_xml_clean_and_escape() -> None:
    assert xml_clean("a\x00b\x1bc\x0bd\ufffee\U0001f600\t\n\r") == "abcde\U0001f600\t\n\r"
    assert xml_escape('<a href="x">&\r</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&#13;&lt;/a&gt;"


def test_cast_graphml_and_gexf_parse_back(tmp_path: Path) -> None:
    ids = [persona_id(t) for t in TEXTS]
    cast = Cast(
        members=[CastMember(id=i, text=t) for i, t in zip(ids, TEXTS, strict=True)],
        relations=[CastRelation(src=ids[0], type="COLLEAGUE", dst=ids[1])],
        mode="ids",
        seed=ids[0],
    )
    export_cast(cast, npcs_from_texts(cast), tmp_path / "cast")
    for reader, name in ((nx.read_graphml, "cast.graphml"), (nx.read_gexf, "cast.gexf")):
        graph = reader(tmp_path / "cast" / name)
        texts = sorted(d["text"] for _, d in graph.nodes(data=True))
        assert len(texts) == 3 and graph.number_of_edges() == 1
        assert not any(ch in text for text in texts for ch in "\x00\x1b\x0c\ufffe")
        assert any("<tags> & ampersands" in text for text in texts)
        assert any("[31min red[0m" in text for text in texts)
