"""The plugin's logic with no PyQt5 or krita import: testable with any Python 3.8+.

Krita objects (documents, nodes, selections) are passed in and used through their methods only, so
the same code runs against real Krita and against tests/fake_krita.py.
"""
