"""The plugin's parts that need neither Qt nor krita: testable with any Python 3.8+.

document.py wraps Krita's objects through their methods only, so the same code runs against real
Krita and against tests/fake_krita.py; api.py, record.py, pixels.py, settings.py and config.py are
plain data.
"""
