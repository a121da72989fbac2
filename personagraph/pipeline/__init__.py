"""Work on the graph: import, Text-to-Persona, Persona-to-Persona expansion, dedup, embeddings."""
