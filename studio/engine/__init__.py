"""torch + diffusers engine. No Qt. Import `studio.engine.api` for the public surface."""
