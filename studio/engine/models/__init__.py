"""Finding, loading and caching diffusion models."""
