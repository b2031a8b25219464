"""Settings for the host project: ``base`` plus ``dev``, ``production`` and ``test``."""
