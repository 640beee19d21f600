"""Loads the sandbox's Python package under CPython, the way the runtime does inside Pyodide,
with a tool bridge written in Python instead of the host's channel."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'src', 'python', 'py'))

from _sandbox import driver  # noqa: E402


def search_transport(calls):
    """A web_search that answers at once and records every request."""
    def send(request):
        parsed = json.loads(request)
        calls.append((parsed['name'], parsed['args']))
        return json.dumps({'ok': True, 'text': 'passages for ' + str(parsed['args']['query'])})
    return send


class Sandbox:
    """One fresh task namespace; `run` returns the driver's result dict."""

    def __init__(self):
        self.calls = []
        driver.install(json.dumps({
            'tools': [{'name': 'web_search', 'params': ['query']}],
            'recursionLimit': 1000,
        }), search_transport(self.calls))
        driver.reset()

    def run(self, code):
        return json.loads(driver.execute(code))

    def output(self, code):
        r = self.run(code)
        if r['status'] == 'error':
            raise AssertionError('expected success, got ' + r['error']['message'])
        return r['output']

    def error(self, code):
        r = self.run(code)
        if r['status'] != 'error':
            raise AssertionError('expected an error, got ' + repr(r))
        return r['error']['message']
