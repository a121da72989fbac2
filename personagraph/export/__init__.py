"""Writers: persona graphs (JSONL, Parquet, GraphML), samples, NPC casts and the HTML view."""
