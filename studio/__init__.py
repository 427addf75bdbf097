"""Studio: a desktop image generation and editing studio for artists."""

__version__ = "0.1.0"
