"""Code the evaluation scripts and the tests share: labelled scenes and how predictions are scored.

Not part of the product: the backend never imports it.
"""
