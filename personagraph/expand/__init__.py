"""Growing the graph with an LLM: Text-to-Persona (``t2p``) and Persona-to-Persona (``p2p``).

``plan`` turns a validated reply into personas and typed edges (pure); ``report`` holds the run
options and reports; ``store_thread`` keeps store calls off the event loop.
"""
