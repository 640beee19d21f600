"""Entry points the host calls (through the runtime worker): one step, SAG candidates, adoption
of a candidate's state, syntax checks, and the one-time install and lock."""
import ast as _ast
import builtins as _builtins
import json as _json
import sys as _sys

from _sandbox import executor, namespace, parity, policy
from _sandbox.tools import device_transport, make_tool


class _State:
    ns = None
    candidates = {}
    # The random module's global generator is interpreter state too: each candidate starts from
    # the pre-step generator state, and adopting a candidate adopts its generator state.
    rng_base = None
    rng_after = {}


def _rng_get():
    m = _sys.modules.get('random')
    return m.getstate() if m is not None else None


def _rng_set(state):
    m = _sys.modules.get('random')
    if m is not None and state is not None:
        m.setstate(state)


def _drop_candidates():
    if _State.candidates:
        _rng_set(_State.rng_base)
    _State.candidates.clear()
    _State.rng_after.clear()
    _State.rng_base = None


def execute(code):
    _drop_candidates()
    return executor.dump(executor.run(_State.ns, code))


def run_candidate(slot, code):
    slot = int(slot)
    if slot == 0:
        _drop_candidates()
        _State.rng_base = _rng_get()
    else:
        _rng_set(_State.rng_base)
    try:
        ns = namespace.copy_namespace(_State.ns)
    except BaseException as e:
        # A user-defined __deepcopy__ can fail or loop; that candidate just fails.
        result = {'status': 'error', 'error': executor.describe(e, code, None), 'logs': '',
                  'durationMs': 0}
        return executor.dump(result)
    result = executor.run(ns, code)
    _State.candidates[slot] = ns
    _State.rng_after[slot] = _rng_get()
    return executor.dump(result)


def adopt(slot):
    slot = int(slot)
    ns = _State.candidates.get(slot)
    if ns is None:
        return 'missing'
    _State.ns = ns
    state = _State.rng_after.get(slot)
    _State.candidates.clear()
    _State.rng_after.clear()
    _State.rng_base = None
    _rng_set(state)
    return 'ok'


def wanted_packages(code, candidates_json):
    """Top-level modules the code imports among those that can still be loaded on demand."""
    wanted = set(_json.loads(candidates_json))
    found = []
    try:
        tree = _ast.parse(code)
    except SyntaxError:
        return '[]'
    for node in _ast.walk(tree):
        names = []
        if isinstance(node, _ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, _ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for n in names:
            top = n.split('.', 1)[0]
            if top in wanted and top not in found and top not in _sys.modules:
                found.append(top)
    return _json.dumps(found)


def check_syntax(code):
    try:
        _ast.parse(code)
        return 'ok'
    except SyntaxError:
        return 'error'
    except Exception:
        return 'error'


def reset():
    _State.ns = namespace.new_namespace()
    parity.forget_names()
    _drop_candidates()
    return 'ok'


def install(config_json, transport=None):
    """Runs once, before any user code: builds builtins, tools and the global guards. Tools
    reach the host through `transport` (tests) or the runtime's tool device."""
    config = _json.loads(config_json)
    if transport is None:
        transport = device_transport(config['toolDevice'])
    enforce = config.get('pythonPolicy', 'on') != 'off'
    executor.set_enforce(enforce)
    namespace.set_tools({spec['name']: make_tool(spec['name'], list(spec['params']), transport)
                         for spec in config.get('tools', [])})
    policy.find_js_proxy_type()
    _sys.setrecursionlimit(int(config.get('recursionLimit', 1000)))
    policy.forbid_internals([m.__dict__ for n, m in list(_sys.modules.items())
                             if n == '_sandbox' or n.startswith('_sandbox.')])
    policy.forbid_id(namespace.build_builtins(enforce))
    _State.ns = namespace.new_namespace()
    return 'ok'


def lock():
    """From here on js/pyodide are unreachable and library string-evals are checked."""
    policy.lock(_builtins)
    return 'ok'
