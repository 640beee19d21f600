"""Loads the sandbox's Python package under CPython, the way the runtime does inside Pyodide,
with a tool bridge written in Python instead of the host's channel."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'src', 'python', 'py'))

from _sandbox import driver  # noqa: E402


def search_bridge(calls):
    """A web_search that answers from a dict and records every call."""
    def bridge(name, args_json):
        args = json.loads(args_json)
        calls.append((name, args))
        return json.dumps({'ok': True, 'text': 'passages for ' + str(args.get('query'))})
    return bridge


class Sandbox:
    """One fresh task namespace; `run` returns the driver's result dict."""

    def __init__(self):
        self.calls = []
        driver.install(search_bridge(self.calls), json.dumps({
            'tools': [{'name': 'web_search', 'params': ['query']}],
            'recursionLimit': 1000,
        }))
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
