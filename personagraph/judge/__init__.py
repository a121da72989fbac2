"""LLM-judged quality of personas and samples: rubric scores and reasons stored on the nodes."""
