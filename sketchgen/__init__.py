"""Procedural scene sketches with exact instance, category and part masks: training data for the
learned scene recogniser (backend/recognizer_learned.py). Not imported by the backend at run time.
"""
