"""Runs one step's code statement by statement and reports it the way smolagents 1.13 does
(docs/protocol.md, "Observations")."""
import ast as _ast
import copy as _copy
import json as _json
import time as _time

from _sandbox import output, policy
from _sandbox.final import FinalAnswer

_real_compile = compile
_real_eval = eval
_real_exec = exec
_real_getattr = getattr

_LAST = '__sandbox_last__'


class _State:
    enforce = True


def set_enforce(enforce):
    """With the policy off (python-policy.ts), statements run as written: no check, no guard."""
    _State.enforce = enforce


def _guarded(node):
    return policy._guard.visit(node) if _State.enforce else node


def _compile_stmt(node):
    if isinstance(node, _ast.Expr):
        expr = _ast.Expression(body=_guarded(node.value))
        _ast.fix_missing_locations(expr)
        return 'eval', _real_compile(expr, '<code>', 'eval')
    if isinstance(node, _ast.Assign):
        node = _ast.Assign(targets=list(node.targets) + [_ast.Name(id=_LAST, ctx=_ast.Store())],
                           value=node.value, type_comment=None, lineno=node.lineno,
                           col_offset=node.col_offset, end_lineno=node.end_lineno,
                           end_col_offset=node.end_col_offset)
        kind = 'assign'
    elif isinstance(node, (_ast.AugAssign, _ast.AnnAssign)):
        kind = 'target' if node.value is not None or isinstance(node, _ast.AugAssign) else 'none'
    else:
        kind = 'none'
    mod = _ast.Module(body=[_guarded(node)], type_ignores=[])
    _ast.fix_missing_locations(mod)
    return kind, _real_compile(mod, '<code>', 'exec')


def _target_value(target, ns):
    load = _ast.Expression(body=_guarded(_to_load(target)))
    _ast.fix_missing_locations(load)
    return _real_eval(_real_compile(load, '<code>', 'eval'), ns)


def _to_load(node):
    node = _copy.deepcopy(node)
    for sub in _ast.walk(node):
        if hasattr(sub, 'ctx'):
            sub.ctx = _ast.Load()
    return node


def _error(kind, type_name, message, line=None):
    return {'kind': kind, 'type': type_name, 'message': message, 'line': line}


def run(ns, code):
    output.start_logs()
    start = _time.perf_counter()
    result = {'status': 'ok', 'output': 'None'}
    try:
        try:
            tree = _ast.parse(code)
        except SyntaxError as e:
            msg = ('Code parsing failed on line {} due to: {}\n'.format(e.lineno, type(e).__name__)
                   + '{}'.format(e.text) + ' ' * (e.offset or 0) + '^\n'
                   + 'Error: {}'.format(str(e)))
            result = {'status': 'error', 'error': _error('syntax', type(e).__name__, msg)}
            tree = None
        value = None
        node = None
        if tree is not None:
            try:
                for node in tree.body:
                    if _State.enforce:
                        policy._user_checker.visit(node)
                    kind, compiled = _compile_stmt(node)
                    if kind == 'eval':
                        value = _real_eval(compiled, ns)
                    else:
                        _real_exec(compiled, ns)
                        if kind == 'assign':
                            value = ns.pop(_LAST, None)
                        elif kind == 'target':
                            value = _target_value(node.target, ns)
                        else:
                            value = None
                result = {'status': 'ok',
                          'output': output.truncate_content(str(value), output.MAX_OUTPUT)}
            except FinalAnswer as fa:
                text = str(fa.value)
                result = {'status': 'final',
                          'output': output.truncate_content(text, output.MAX_OUTPUT),
                          'finalAnswer': {'text': text, 'type': type(fa.value).__name__}}
            except BaseException as e:
                ns.pop(_LAST, None)
                result = {'status': 'error', 'error': describe(e, code, node)}
    except BaseException as e:
        # An interrupt that lands in the driver's own bookkeeping.
        result = {'status': 'error', 'error': describe(e, code, None)}
    result['logs'] = output.take_logs()
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
    if isinstance(e, KeyboardInterrupt):
        return _error('timeout', type_name, '', segment)
    kind = 'policy' if _real_getattr(e, 'sandbox_policy', False) else 'runtime'
    if isinstance(e, NameError) and not isinstance(e, UnboundLocalError) and e.name:
        type_name = 'InterpreterError'
        text = 'The variable \x60{}\x60 is not defined.'.format(e.name)
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
