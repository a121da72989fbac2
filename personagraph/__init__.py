"""PersonaGraph: a persona knowledge base on a property graph, for synthetic data."""

__version__ = "0.1.0"
