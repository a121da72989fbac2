"""NPC casts: choose related personas (select, loader, build), flesh them out as NPCs (npc, flesh),
and write them as Character Cards (cards, png). Exports live in ``personagraph.export.cast``."""
