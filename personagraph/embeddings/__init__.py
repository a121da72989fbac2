"""Persona embeddings: the embedders (``embedders``) and the vectors kept beside the graph (``vectors``)."""
