"""Persona-driven synthesis: task registry, runs with lineage, diversity report, exports."""
