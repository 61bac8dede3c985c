"""braze-reconciler: Braze schedules as code."""

__version__ = "0.1.0"
