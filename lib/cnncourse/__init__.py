"""Helper library for the CNN course."""
