"""The job queue and the one long-lived worker thread that drives the engine (QtCore only)."""
