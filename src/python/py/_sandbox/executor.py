"""Runs one step's code statement by statement and reports it the way smolagents 1.13 does
(docs/protocol.md, "Observations")."""
import ast as _ast
import json as _json
import time as _time

from _sandbox import namespace, output, parity, policy
from _sandbox.final import FinalAnswer

_real_compile = compile
_real_exec = exec
_real_getattr = getattr


_LAST_LOGS = '__sandbox_last_logs__'


class _State:
    enforce = True


def set_enforce(enforce):
    """With the policy off (python-policy.ts) statements are not checked, only rewritten."""
    _State.enforce = enforce


def _compile_stmt(node):
    if _State.enforce:
        policy._user_checker.visit(node)
    stmts = parity.rewrite(node, namespace.protected_names())
    mod = _ast.Module(body=[policy._guard.visit(s) for s in stmts], type_ignores=[])
    _ast.fix_missing_locations(mod)
    return _real_compile(mod, '<code>', 'exec')


def _error(kind, type_name, message, line=None):
    return {'kind': kind, 'type': type_name, 'message': message, 'line': line}


def run(ns, code):
    output.start_logs()
    start = _time.perf_counter()
    result = {'status': 'ok', 'output': 'None'}
    parse_failed = False
    try:
        try:
            tree = _ast.parse(code)
        except SyntaxError as e:
            msg = ('Code parsing failed on line {} due to: {}\n'.format(e.lineno, type(e).__name__)
                   + '{}'.format(e.text) + ' ' * (e.offset or 0) + '^\n'
                   + 'Error: {}'.format(str(e)))
            result = {'status': 'error', 'error': _error('syntax', type(e).__name__, msg)}
            tree = None
            parse_failed = True
        value = None
        node = None
        if tree is not None:
            parity.note_names(tree)
            try:
                for node in tree.body:
                    try:
                        compiled = _compile_stmt(node)
                    except SyntaxError as e:
                        raise parity.compile_refusal(node) or e
                    parity.start_statement()
                    try:
                        _real_exec(compiled, ns)
                    finally:
                        namespace.restore_pinned(ns)
                    value = parity.statement_value()
                result = {'status': 'ok',
                          'output': output.truncate_content(parity.reference_str(value),
                                                            output.MAX_OUTPUT)}
            except FinalAnswer as fa:
                text = str(fa.value)
                result = {'status': 'final',
                          'output': output.truncate_content(text, output.MAX_OUTPUT),
                          'finalAnswer': {'text': text, 'type': type(fa.value).__name__}}
            except BaseException as e:
                result = {'status': 'error', 'error': describe(e, code, node)}
    except BaseException as e:
        # An interrupt that lands in the driver's own bookkeeping.
        result = {'status': 'error', 'error': describe(e, code, None)}
    logs = output.take_logs()
    if parse_failed:
        # The reference parses before it empties its print buffer, so a syntax error shows the
        # previous step's logs (local_python_executor.py:1545-1568, agents.py:1555-1562).
        logs = dict.get(ns, _LAST_LOGS, '')
    else:
        dict.__setitem__(ns, _LAST_LOGS, logs)
    result['logs'] = logs
    result['durationMs'] = (_time.perf_counter() - start) * 1000
    return result


def describe(e, code, node):
    segment = None
    if node is not None:
        try:
            segment = _ast.get_source_segment(code, node)
        except Exception:
            segment = None
    type_name = type(e).__name__
    if isinstance(e, KeyboardInterrupt) and not _real_getattr(e, 'sandbox_raised', False):
        return _error('timeout', type_name, '', segment)
    kind = 'policy' if _real_getattr(e, 'sandbox_policy', False) else 'runtime'
    unpack = parity.unpack_error_text(e)
    if isinstance(e, NameError) and not isinstance(e, UnboundLocalError) and e.name:
        type_name = 'InterpreterError'
        text = 'The variable \x60{}\x60 is not defined.'.format(e.name)
    elif unpack is not None:
        type_name = 'InterpreterError'
        text = unpack
    else:
        try:
            text = str(e)
        except BaseException:
            text = '<unprintable {} object>'.format(type_name)
    if segment is None:
        message = 'Code execution failed due to: {}: {}'.format(type_name, text)
    else:
        message = "Code execution failed at line '{}' due to: {}: {}".format(
            segment, type_name, text)
    return _error(kind, type_name, message, segment)


def dump(result):
    try:
        return _json.dumps(result)
    except BaseException:
        result['finalAnswer'] = None
        return _json.dumps(result, default=str)
