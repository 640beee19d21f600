"""The Python half of the playground's sandbox, run inside Pyodide (and under CPython in tests).

The host calls the entry points in `driver`; nothing here is reachable from model code."""
