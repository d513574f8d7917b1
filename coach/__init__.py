"""coach: a grounded, cited career-coaching assistant for Customer Success Managers."""

__version__ = "0.1.0"
