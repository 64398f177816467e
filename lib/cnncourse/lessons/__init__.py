"""Per-lesson test helpers (one module per lesson, ``lNN.py``); they hold no solutions."""
