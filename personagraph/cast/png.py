"""Card PNGs: a generated avatar with the card JSON in tEXt chunks, and a reader that needs no Pillow.

Embedding as the specs define: a V2 card goes in a ``chara`` tEXt chunk, a V3 card in a ``ccv3``
tEXt chunk, each holding the base64 of the card's UTF-8 JSON (base64 is ASCII, so it fits tEXt's
Latin-1 text). A reader that finds both uses ``ccv3`` (V3 spec, "Embedding Methods").
"""

from __future__ import annotations

import base64
import io
import json
import struct
import zlib
from typing import Any

from personagraph.errors import MalformedInputError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
    "#1f77b4",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#17becf",
)
AVATAR_SIZE = 256


def group_colour(group: int | None) -> str:
    """Colour of a cluster or community (grey when there is none); the viewer uses the same palette."""
    return "#7f7f7f" if group is None else PALETTE[group % len(PALETTE)]


def initials(name: str) -> str:
    parts = [p for p in name.split() if p[:1].isalpha()]
    return "".join(p[0].upper() for p in parts[:2]) or "?"


def avatar(name: str, group: int | None, size: int = AVATAR_SIZE) -> Any:
    """A square image: the name's initials on the colour of the persona's cluster or community."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (size, size), group_colour(group))
    draw = ImageDraw.Draw(image)
    draw.ellipse((size * 0.08, size * 0.08, size * 0.92, size * 0.92), outline="white", width=max(2, size // 40))
    font = ImageFont.load_default(size=size * 0.36)
    draw.text((size / 2, size / 2), initials(name), fill="white", font=font, anchor="mm")
    return image


def encode_card(card: dict[str, Any]) -> str:
    """The chunk text: base64 of the card's UTF-8 JSON."""
    return base64.b64encode(json.dumps(card, ensure_ascii=False).encode("utf-8")).decode("ascii")


def decode_card(text: str | bytes) -> dict[str, Any]:
    raw = base64.b64decode(text, validate=True)
    card = json.loads(raw.decode("utf-8"))
    if not isinstance(card, dict):
        raise ValueError("the embedded card is not a JSON object")
    return card


def card_png(image: Any, chunks: dict[str, dict[str, Any]]) -> bytes:
    """PNG bytes of ``image`` with each card in a tEXt chunk named by its key (``chara``, ``ccv3``)."""
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    for keyword, card in chunks.items():
        info.add_text(keyword, encode_card(card))  # ASCII text, not zip: Pillow writes tEXt
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info, optimize=False)
    return buffer.getvalue()


def png_chunks(data: bytes, source: str = "<png>") -> list[tuple[bytes, bytes]]:
    """(type, payload) of every chunk, with CRCs checked; no Pillow needed."""
    if not data.startswith(PNG_SIGNATURE):
        raise MalformedInputError(source, 1, "not a PNG file (bad signature)")
    chunks: list[tuple[bytes, bytes]] = []
    offset = len(PNG_SIGNATURE)
    while offset < len(data):
        if offset + 8 > len(data):
            raise MalformedInputError(source, 1, f"truncated chunk header at byte {offset}")
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        payload = data[offset + 8 : offset + 8 + length]
        crc_bytes = data[offset + 8 + length : offset + 12 + length]
        if len(payload) != length or len(crc_bytes) != 4:
            raise MalformedInputError(source, 1, f"truncated {kind.decode('latin-1')} chunk at byte {offset}")
        if zlib.crc32(kind + payload) != struct.unpack(">I", crc_bytes)[0]:
            raise MalformedInputError(source, 1, f"bad CRC in {kind.decode('latin-1')} chunk at byte {offset}")
        chunks.append((kind, payload))
        offset += 12 + length
        if kind == b"IEND":
            break
    return chunks


def text_chunks(data: bytes, source: str = "<png>") -> dict[str, str]:
    """keyword -> text of the tEXt chunks (the first of each keyword)."""
    found: dict[str, str] = {}
    for kind, payload in png_chunks(data, source):
        if kind == b"tEXt":
            keyword, _, text = payload.partition(b"\x00")
            found.setdefault(keyword.decode("latin-1"), text.decode("latin-1"))
    return found


def cards_in_png(data: bytes, source: str = "<png>") -> dict[str, dict[str, Any]]:
    """The cards a PNG carries, by chunk name (``chara``, ``ccv3``)."""
    cards = {}
    for keyword, text in text_chunks(data, source).items():
        if keyword in ("chara", "ccv3"):
            try:
                cards[keyword] = decode_card(text)
            except (ValueError, UnicodeDecodeError) as exc:
                raise MalformedInputError(source, 1, f"the {keyword} chunk is not base64 card JSON ({exc})") from exc
    return cards
