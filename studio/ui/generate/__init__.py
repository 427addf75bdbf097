"""Generating: the prompt panel and its parts, the queue, and the presenter that runs jobs."""
