"""Prompt syntax as artists write it (A1111's): weights, BREAK, LoRA tags, chunks. No torch."""
