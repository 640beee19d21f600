/**
 * The Python half of the sandbox, run once inside Pyodide as module `_sandbox`. It keeps the
 * task namespace, executes top-level statements one by one the way smolagents 1.13 reports
 * them (PROTOCOL section 3), and enforces the policy: restricted builtins, an AST check, runtime
 * checks on attribute/call/subscript results, a global import hook and checked string-eval in
 * libraries (sympify and lambdify eval strings the user controls).
 */
export const DRIVER_SOURCE = String.raw`
import ast as _ast
import builtins as _builtins
import copy as _copy
import json as _json
import sys as _sys
import types as _types
import time as _time

AUTHORIZED_IMPORTS = ['collections', 'datetime', 'itertools', 'math', 'queue', 'random', 're',
                      'stat', 'statistics', 'time', 'unicodedata', 'numpy', 'numpy.linalg', 'sympy']
_AUTH_SET = frozenset(AUTHORIZED_IMPORTS)
# Packages whose objects user code may hold (allowed imports plus their own dependencies).
_SAFE_TOPS = frozenset(['collections', 'datetime', 'itertools', 'math', 'queue', 'random', 're',
                        'stat', 'statistics', 'time', 'unicodedata', 'numpy', 'sympy', 'mpmath',
                        'builtins', '__main__', '_collections', '_datetime', '_pydatetime',
                        '_random', '_queue', '_statistics', '_stat', 'fractions', 'decimal',
                        '_decimal', '_pydecimal', 'numbers'])
# String eval/exec from these stdlib modules is code they generate themselves.
_EXEC_TRUSTED = frozenset(['collections', 'dataclasses', 'typing', 'enum', 'functools', 'string',
                           'importlib._bootstrap', 'importlib._bootstrap_external', 'ast',
                           '_frozen_importlib', '_frozen_importlib_external', 'zipimport',
                           'abc', 'annotationlib', 'inspect', '_sandbox'])
_HARD_DENY = ('js', 'pyodide', 'pyodide_js', '_pyodide', '_pyodide_core', 'micropip')
_ALLOWED_UNDERSCORE_ATTRS = frozenset(['__name__', '__qualname__', '__doc__', '__init__',
                                       '_asdict', '_replace', '_fields', '_make'])
_FORBIDDEN_ATTRS = frozenset(['gi_frame', 'gi_code', 'gi_yieldfrom', 'cr_frame', 'cr_code',
                              'cr_await', 'ag_frame', 'ag_code', 'ag_await', 'f_globals',
                              'f_locals', 'f_builtins', 'f_back', 'f_code', 'tb_frame', 'tb_next',
                              'cell_contents', 'func_globals', 'func_code', 'mro'])
_FORBIDDEN_CALLS = ('eval', 'exec', 'compile', 'open', 'input', 'breakpoint', 'globals',
                    'locals', 'vars', 'help', 'exit', 'quit', 'memoryview', 'copyright',
                    'credits', 'license', 'aiter', 'anext')
# Names that refer to the real builtins inside library-evaluated strings.
_LIB_EVAL_DENY = frozenset(['eval', 'exec', 'compile', 'open', 'input', 'breakpoint', 'globals',
                            'locals', 'vars', 'getattr', 'setattr', 'delattr', 'help', 'exit',
                            'quit', 'memoryview'])
_TRUNC_MSG = "\n..._This content has been truncated to stay below {} characters_...\n"
MAX_LOGS = 50000
MAX_OUTPUT = 20000

_real_import = _builtins.__import__
_real_eval = _builtins.eval
_real_exec = _builtins.exec
_real_compile = _builtins.compile
_real_getattr = getattr
_ModuleType = _types.ModuleType
_FunctionType = _types.FunctionType
_forbidden_types = (_types.FrameType, _types.TracebackType, _types.CodeType, _types.CellType)
_JsProxy = None
_locked = False


class InterpreterError(ValueError):
    """What smolagents raises for policy violations; the type name reaches the model."""


class _FinalAnswer(BaseException):
    def __init__(self, value):
        self.value = value


def _policy(message):
    e = InterpreterError(message)
    e.sandbox_policy = True
    return e


def truncate_content(content, max_length):
    if len(content) <= max_length:
        return content
    return content[: max_length // 2] + _TRUNC_MSG.format(max_length) + content[-max_length // 2:]


class _Logs:
    """Print buffer that keeps only what truncate_content(full, 50000) can show."""
    __slots__ = ('parts', 'size', 'head')

    def __init__(self):
        self.parts = []
        self.size = 0
        self.head = None

    def write(self, s):
        self.parts.append(s)
        self.size += len(s)
        if self.size > 4 * MAX_LOGS:
            whole = ''.join(self.parts)
            if self.head is None:
                self.head = whole[: MAX_LOGS // 2]
            tail = whole[-(MAX_LOGS // 2):]
            self.parts = [tail]
            self.size = len(tail)

    def value(self):
        rest = ''.join(self.parts)
        if self.head is None:
            return truncate_content(rest, MAX_LOGS)
        return self.head + _TRUNC_MSG.format(MAX_LOGS) + rest[-(MAX_LOGS // 2):]


_logs = _Logs()


def _print(*args, **kwargs):
    _logs.write(' '.join(map(str, args)) + '\n')
    return None


def final_answer(answer):
    raise _FinalAnswer(answer)


# ---------------------------------------------------------------- policy: names and values

def _attr_allowed(name):
    if name in _FORBIDDEN_ATTRS:
        return False
    if name.startswith('_'):
        return name in _ALLOWED_UNDERSCORE_ATTRS
    return True


def _top(name):
    return name.split('.', 1)[0]


def _module_ok(name):
    return _top(name) in _SAFE_TOPS and not name.startswith('_')


_PLAIN = frozenset([int, float, str, bool, type(None), complex, list, tuple, set, frozenset, bytes,
                    bytearray, range, slice])


_safe_types = set()


def _check(v):
    """Stops user code from holding a forbidden module, frame, code object or JS object."""
    t = type(v)
    if t in _PLAIN or t in _safe_types:
        return v
    if id(v) in _forbidden_ids:
        raise _policy('Forbidden access to function: ' + str(_real_getattr(v, '__name__', '?')))
    if t is _ModuleType:
        name = v.__name__
        if not _module_ok(name):
            raise _policy('Forbidden access to module: ' + name)
        return v
    if t is dict:
        if '__name__' in v and _is_module_globals(v):
            raise _policy('Forbidden access to the namespace of module ' + str(v['__name__']))
        return v
    if t is _types.MethodType:
        if type(v.__self__) is _ModuleType:
            _check(v.__self__)
        _check(v.__func__)
        return v
    if t is _FunctionType or t is _types.BuiltinFunctionType or issubclass(t, type):
        mod = _real_getattr(v, '__module__', None)
        if isinstance(mod, str) and _top(mod) not in _SAFE_TOPS:
            raise _policy('Forbidden access to function: {}.{}'.format(
                mod, _real_getattr(v, '__name__', '?')))
        return v
    if isinstance(v, _forbidden_types):
        raise _policy('Forbidden access to object of type ' + t.__name__)
    if _JsProxy is not None and isinstance(v, _JsProxy):
        raise _policy('Forbidden access to a JavaScript object')
    # Whatever else is judged by its type alone, so remember the verdict.
    _safe_types.add(t)
    return v


def _safe_attr(obj, name):
    if type(obj) is _ModuleType and not _module_ok(obj.__name__):
        raise _policy('Forbidden access to module: ' + obj.__name__)
    return _check(_real_getattr(obj, name))


def _safe_getattr(obj, name, *default):
    if not isinstance(name, str):
        raise TypeError('attribute name must be string')
    if not _attr_allowed(name):
        raise _policy('Forbidden access to attribute: ' + name)
    try:
        return _safe_attr(obj, name)
    except AttributeError:
        if default:
            return default[0]
        raise


def _safe_hasattr(obj, name):
    try:
        _safe_getattr(obj, name)
        return True
    except AttributeError:
        return False


def _safe_setattr(obj, name, value):
    if not isinstance(name, str) or not _attr_allowed(name):
        raise _policy('Forbidden access to attribute: ' + str(name))
    setattr(_mutable(obj), name, value)


def _safe_delattr(obj, name):
    if not isinstance(name, str) or not _attr_allowed(name):
        raise _policy('Forbidden access to attribute: ' + str(name))
    delattr(_mutable(obj), name)


def _forbidden_call(name):
    def stub(*args, **kwargs):
        raise _policy('It is not permitted to evaluate other functions than the provided tools '
                      'or functions defined in previous code (tried to execute {}).'.format(name))
    stub.__name__ = name
    return stub


class _Checker(_ast.NodeVisitor):
    """Static check of one statement (user code) or of a string a library evaluates."""

    def __init__(self, lib_eval):
        self.lib_eval = lib_eval

    def visit_Name(self, node):
        if node.id.startswith('__') and node.id != '__name__':
            raise _policy('Forbidden access to name: ' + node.id)
        if self.lib_eval and node.id in _LIB_EVAL_DENY:
            raise _policy('Forbidden function evaluation: ' + node.id)

    def visit_Attribute(self, node):
        if not _attr_allowed(node.attr):
            raise _policy('Forbidden access to attribute: ' + node.attr)
        self.generic_visit(node)

    def visit_MatchClass(self, node):
        for a in node.kwd_attrs:
            if not _attr_allowed(a):
                raise _policy('Forbidden access to attribute: ' + a)
        self.generic_visit(node)

    def visit_ImportFrom(self, node):
        for a in node.names:
            if a.name.startswith('_'):
                raise _policy('Import of {} from {} is not allowed.'.format(a.name, node.module))
        self.generic_visit(node)


_user_checker = _Checker(False)
_lib_checker = _Checker(True)

_CHECK = '__sandbox_check__'
_ATTR = '__sandbox_attr__'
_MUTABLE = '__sandbox_mutable__'


def _mutable(obj):
    if type(obj) is _ModuleType:
        raise _policy('Forbidden assignment to an attribute of module ' + obj.__name__)
    return obj


class _Guard(_ast.NodeTransformer):
    """Routes attribute reads, calls and subscripts through the runtime value check."""

    def _wrap(self, node):
        call = _ast.Call(func=_ast.Name(id=_CHECK, ctx=_ast.Load()), args=[node], keywords=[])
        return _ast.copy_location(call, node)

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, _ast.Load):
            call = _ast.Call(func=_ast.Name(id=_ATTR, ctx=_ast.Load()),
                             args=[node.value, _ast.Constant(node.attr)], keywords=[])
            return _ast.copy_location(call, node)
        # Stores and deletes: the object must not be a shared module.
        target = _ast.Call(func=_ast.Name(id=_MUTABLE, ctx=_ast.Load()), args=[node.value],
                           keywords=[])
        node.value = _ast.copy_location(target, node.value)
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        return self._wrap(node)

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, _ast.Load):
            return self._wrap(node)
        return node


_guard = _Guard()


def _authorized(name):
    parts = name.split('.')
    return any('.'.join(parts[:i]) in _AUTH_SET for i in range(1, len(parts) + 1))


def _is_user_globals(g):
    return g.get('__sandbox_user__') is True


def _is_module_globals(g):
    name = g.get('__name__')
    if not isinstance(name, str) or _is_user_globals(g):
        return False
    m = _sys.modules.get(name)
    return m is not None and _real_getattr(m, '__dict__', None) is g


def _guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    caller = _sys._getframe(1).f_globals
    if _locked and level == 0:
        top = _top(name)
        if (top in _HARD_DENY or top.startswith('_pyodide')) and not _is_pyodide_internal(caller):
            raise _policy(_import_message(name, fromlist))
    if not _locked or _is_module_globals(caller):
        return _real_import(name, globals, locals, fromlist, level)
    user = _is_user_globals(caller)
    if level != 0 or not (_authorized(name) or (not user and _top(name) == 'mpmath')):
        if not user:
            # Libraries probe optional modules inside try/except ImportError.
            raise ModuleNotFoundError(_import_message(name, fromlist), name=name)
        raise _policy(_import_message(name, fromlist))
    try:
        module = _real_import(name, globals, locals, fromlist, level)
    except ModuleNotFoundError as e:
        missing = e.name or name
        raise ModuleNotFoundError("No module named '{}'".format(missing), name=missing) from None
    if fromlist:
        for item in fromlist:
            if item != '*':
                _check(_real_getattr(module, item, None))
    return module


def _is_pyodide_internal(g):
    # Pyodide's own package loader imports its modules lazily.
    name = g.get('__name__')
    return (isinstance(name, str) and (name.startswith('pyodide.') or name.startswith('_pyodide'))
            and _is_module_globals(g))


def _import_message(name, fromlist):
    if fromlist:
        return 'Import from {} is not allowed. Authorized imports are: {}'.format(
            name, str(AUTHORIZED_IMPORTS))
    return 'Import of {} is not allowed. Authorized imports are: {}'.format(
        name, str(AUTHORIZED_IMPORTS))


def _needs_lib_check():
    """A string evaluated while user code is on the stack may carry the user's text."""
    if not _locked:
        return False
    f = _sys._getframe(2)
    caller = f.f_globals
    if _is_module_globals(caller) and caller.get('__name__') in _EXEC_TRUSTED:
        return False
    # Code a library generates while it is being imported is the library's own.
    while f is not None:
        g = f.f_globals
        if _is_user_globals(g):
            return True
        if f.f_code.co_name == '<module>' and _is_module_globals(g):
            return False
        f = f.f_back
    return False


def _lib_check_source(source):
    if isinstance(source, (bytes, bytearray)):
        source = bytes(source).decode('utf-8', 'replace')
    if isinstance(source, str):
        tree = _ast.parse(source)
    elif isinstance(source, _ast.AST):
        tree = source
    else:
        return
    _lib_checker.visit(tree)


def _guarded_eval(source, *args, **kwargs):
    if _needs_lib_check():
        _lib_check_source(source)
    return _real_eval(source, *args, **kwargs)


def _guarded_exec(source, *args, **kwargs):
    if _needs_lib_check():
        _lib_check_source(source)
    return _real_exec(source, *args, **kwargs)


def _guarded_compile(source, *args, **kwargs):
    flags = args[2] if len(args) > 2 else kwargs.get('flags', 0)
    # Parsing to an AST runs nothing; compiling that AST later is checked.
    if not (flags & _ast.PyCF_ONLY_AST) and _needs_lib_check():
        _lib_check_source(source)
    return _real_compile(source, *args, **kwargs)


# ---------------------------------------------------------------- namespaces

_SAFE_BUILTIN_NAMES = [
    'abs', 'all', 'any', 'ascii', 'bin', 'bool', 'bytearray', 'bytes', 'callable', 'chr',
    'classmethod', 'complex', 'dict', 'dir', 'divmod', 'enumerate', 'filter', 'float', 'format',
    'frozenset', 'hash', 'hex', 'id', 'int', 'isinstance', 'issubclass', 'iter', 'len', 'list',
    'map', 'max', 'min', 'next', 'object', 'oct', 'ord', 'pow', 'property', 'range', 'repr',
    'reversed', 'round', 'set', 'slice', 'sorted', 'staticmethod', 'str', 'sum', 'super', 'tuple',
    'type', 'zip', 'True', 'False', 'None', 'Ellipsis', 'NotImplemented', '__build_class__',
]
_user_builtins = {}
_tools = {}
_forbidden_ids = set()


def _build_builtins():
    b = {}
    for n in _SAFE_BUILTIN_NAMES:
        b[n] = _real_getattr(_builtins, n)
    for n, v in vars(_builtins).items():
        if isinstance(v, type) and issubclass(v, BaseException):
            b[n] = v
    for n in _FORBIDDEN_CALLS:
        b[n] = _forbidden_call(n)
    b['__import__'] = _guarded_import
    b['getattr'] = _safe_getattr
    b['hasattr'] = _safe_hasattr
    b['setattr'] = _safe_setattr
    b['delattr'] = _safe_delattr
    b['print'] = _print
    b['final_answer'] = final_answer
    b['InterpreterError'] = InterpreterError
    b[_CHECK] = _check
    b[_ATTR] = _safe_attr
    b[_MUTABLE] = _mutable
    b.update(_tools)
    return b


def _new_namespace():
    return {'__builtins__': _user_builtins, '__name__': '__main__', '__sandbox_user__': True}


_ns = None
_candidates = {}
_ATOMIC = (_ModuleType, type, _types.BuiltinFunctionType, _types.MethodType)


def _rebind(f, ns, class_cells):
    """f with ns as its globals; a __class__ cell (zero-argument super()) points at the copy."""
    closure = f.__closure__
    if closure is not None and class_cells:
        closure = tuple(class_cells.get(id(c.cell_contents), c)
                        if name == '__class__' and c.cell_contents is not None else c
                        for name, c in zip(f.__code__.co_freevars, closure))
    g = _FunctionType(f.__code__, ns, f.__name__, f.__defaults__, closure)
    g.__kwdefaults__ = f.__kwdefaults__
    g.__qualname__ = f.__qualname__
    g.__dict__.update(f.__dict__)
    return g


def _is_user_class(v, ns):
    # Plain classes the task defined; metaclasses and __slots__ would need more than this copy.
    return (type(v) is type and v.__dict__.get('__module__') == ns.get('__name__')
            and '__slots__' not in v.__dict__
            and any(type(a) is _FunctionType and a.__globals__ is ns for a in v.__dict__.values()))


def _copy_class(cls, ns, new, memo, class_cells, data):
    """A copy of a task-defined class whose methods see the copied namespace. Its data
    attributes are listed in data, to be deep-copied once every class has its copy in the memo."""
    for b in cls.__bases__:
        if id(b) not in memo and _is_user_class(b, ns):
            _copy_class(b, ns, new, memo, class_cells, data)
    cell = _types.CellType()
    class_cells[id(cls)] = cell

    def method(f):
        return _rebind(f, new, class_cells) if f.__globals__ is ns else f

    body = {}
    attrs = []
    for k, a in cls.__dict__.items():
        if k in ('__dict__', '__weakref__'):
            continue
        if type(a) is _FunctionType:
            body[k] = method(a)
        elif type(a) in (staticmethod, classmethod) and type(a.__func__) is _FunctionType:
            body[k] = type(a)(method(a.__func__))
        elif type(a) is property:
            parts = [method(x) if type(x) is _FunctionType else x for x in (a.fget, a.fset, a.fdel)]
            body[k] = property(*parts, a.__doc__)
        else:
            body[k] = a
            if not k.startswith('__'):
                attrs.append(k)
    bases = tuple(memo.get(id(b), b) for b in cls.__bases__)
    copy = type(cls.__name__, bases, body)
    copy.__qualname__ = cls.__qualname__
    cell.cell_contents = copy
    # Instances deep-copied later are rebuilt from their class through the memo.
    memo[id(cls)] = copy
    data.extend((copy, k) for k in attrs)
    return copy


def _copy_namespace(ns):
    """Deep copy of the user's variables: modules are shared; functions and the classes the task
    defined are rebuilt on the copy, so nothing a candidate changes reaches another."""
    new = {}
    memo = {}
    class_cells = {}
    for k, v in ns.items():
        if k.startswith('__') or (isinstance(v, _ATOMIC) and not _is_user_class(v, ns)):
            new[k] = v
            memo[id(v)] = v
    data = []
    for k, v in ns.items():
        if k in new or not _is_user_class(v, ns):
            continue
        if id(v) in memo:
            new[k] = memo[id(v)]
            continue
        try:
            new[k] = _copy_class(v, ns, new, memo, class_cells, data)
        except (KeyboardInterrupt, _FinalAnswer):
            raise
        except BaseException:
            # A class that cannot be rebuilt (a failing __init_subclass__...) stays shared.
            new[k] = v
            memo[id(v)] = v
    # Class attributes (a registry list, a cache) may hold instances of any of the classes.
    for copy, k in data:
        try:
            setattr(copy, k, _copy.deepcopy(copy.__dict__[k], memo))
        except (KeyboardInterrupt, _FinalAnswer):
            raise
        except BaseException:
            pass
    for k, v in ns.items():
        if k in new:
            continue
        if type(v) is _FunctionType and v.__globals__ is ns:
            continue
        try:
            new[k] = _copy.deepcopy(v, memo)
        except (KeyboardInterrupt, _FinalAnswer):
            raise
        except BaseException:
            new[k] = v
    for k, v in ns.items():
        if type(v) is _FunctionType and v.__globals__ is ns:
            new[k] = _rebind(v, new, class_cells)
    _reclass(memo, class_cells)
    return new


def _reclass(memo, class_cells):
    # deepcopy treats classes as atomic before it looks at the memo (Python 3.14), so copied
    # instances still name the original class: point them at its copy.
    for key, obj in list(memo.items()):
        if id(obj) == key:
            continue
        cell = class_cells.get(id(type(obj)))
        if cell is None:
            continue
        try:
            obj.__class__ = cell.cell_contents
        except (KeyboardInterrupt, _FinalAnswer):
            raise
        except BaseException:
            pass


# ---------------------------------------------------------------- execution

_LAST = '__sandbox_last__'


def _compile_stmt(node):
    if isinstance(node, _ast.Expr):
        expr = _ast.Expression(body=_guard.visit(node.value))
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
    mod = _ast.Module(body=[_guard.visit(node)], type_ignores=[])
    _ast.fix_missing_locations(mod)
    return kind, _real_compile(mod, '<code>', 'exec')


def _target_value(target, ns):
    load = _ast.Expression(body=_guard.visit(_to_load(target)))
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


def _run(ns, code):
    global _logs
    _logs = _Logs()
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
                    _user_checker.visit(node)
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
                result = {'status': 'ok', 'output': truncate_content(str(value), MAX_OUTPUT)}
            except _FinalAnswer as fa:
                text = str(fa.value)
                result = {'status': 'final', 'output': truncate_content(text, MAX_OUTPUT),
                          'finalAnswer': {'text': text, 'type': type(fa.value).__name__}}
            except BaseException as e:
                ns.pop(_LAST, None)
                result = {'status': 'error', 'error': _describe(e, code, node)}
    except BaseException as e:
        # An interrupt that lands in the driver's own bookkeeping.
        result = {'status': 'error', 'error': _describe(e, code, None)}
    result['logs'] = _logs.value()
    result['durationMs'] = (_time.perf_counter() - start) * 1000
    _logs = _Logs()
    return result


def _describe(e, code, node):
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
        message = "Code execution failed at line '{}' due to: {}: {}".format(segment, type_name, text)
    return _error(kind, type_name, message, segment)


def _dump(result):
    try:
        return _json.dumps(result)
    except BaseException:
        result['finalAnswer'] = None
        return _json.dumps(result, default=str)


# ---------------------------------------------------------------- entry points (called from JS)

# The random module's global generator is interpreter state too: each candidate starts from the
# pre-step generator state, and adopting a candidate adopts its generator state.
_rng_base = None
_rng_after = {}


def _rng_get():
    m = _sys.modules.get('random')
    return m.getstate() if m is not None else None


def _rng_set(state):
    m = _sys.modules.get('random')
    if m is not None and state is not None:
        m.setstate(state)


def _drop_candidates():
    global _rng_base
    if _candidates:
        _rng_set(_rng_base)
    _candidates.clear()
    _rng_after.clear()
    _rng_base = None


def execute(code):
    _drop_candidates()
    return _dump(_run(_ns, code))


def run_candidate(slot, code):
    global _rng_base
    slot = int(slot)
    if slot == 0:
        _drop_candidates()
        _rng_base = _rng_get()
    else:
        _rng_set(_rng_base)
    try:
        ns = _copy_namespace(_ns)
    except BaseException as e:
        # A user-defined __deepcopy__ can fail or loop; that candidate just fails.
        result = {'status': 'error', 'error': _describe(e, code, None), 'logs': '', 'durationMs': 0}
        return _dump(result)
    result = _run(ns, code)
    _candidates[slot] = ns
    _rng_after[slot] = _rng_get()
    return _dump(result)


def adopt(slot):
    global _ns, _rng_base
    slot = int(slot)
    ns = _candidates.get(slot)
    if ns is None:
        return 'missing'
    _ns = ns
    state = _rng_after.get(slot)
    _candidates.clear()
    _rng_after.clear()
    _rng_base = None
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
            top = _top(n)
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
    global _ns
    _ns = _new_namespace()
    _drop_candidates()
    return 'ok'


def _make_tool(name, params, bridge):
    def tool(*args, **kwargs):
        if len(args) > len(params):
            raise TypeError('{}() takes {} positional argument(s) but {} were given'.format(
                name, len(params), len(args)))
        bound = dict(zip(params, args))
        for k, v in kwargs.items():
            if k not in params:
                raise TypeError("{}() got an unexpected keyword argument '{}'".format(name, k))
            if k in bound:
                raise TypeError("{}() got multiple values for argument '{}'".format(name, k))
            bound[k] = v
        for p in params:
            if p not in bound:
                raise TypeError("{}() missing required argument: '{}'".format(name, p))
        reply = _json.loads(bridge(name, _json.dumps(bound, default=str)))
        if reply.get('interrupted'):
            raise KeyboardInterrupt
        if not reply.get('ok'):
            raise RuntimeError(reply.get('message') or name + ' failed')
        return reply.get('text', '')
    tool.__name__ = name
    tool.__qualname__ = name
    tool.__module__ = '__main__'
    return tool


def install(bridge, config_json):
    """Runs once, before any user code: builds builtins, tools and the global guards."""
    global _user_builtins, _ns, _JsProxy
    config = _json.loads(config_json)
    for spec in config.get('tools', []):
        _tools[spec['name']] = _make_tool(spec['name'], list(spec['params']), bridge)
    try:
        from pyodide.ffi import JsProxy
        _JsProxy = JsProxy
    except Exception:
        _JsProxy = None
    _sys.setrecursionlimit(int(config.get('recursionLimit', 1000)))
    for f in (_real_eval, _real_exec, _real_compile, _builtins.open, _real_import,
              _builtins.breakpoint, _builtins.input, _builtins.globals, _builtins.locals,
              _builtins.vars, getattr, setattr, delattr):
        _forbidden_ids.add(id(f))
    # Containers that lead to every module or to the import machinery.
    for v in (_sys.modules, _sys.meta_path, _sys.path_hooks, _sys.path_importer_cache,
              vars(_builtins), globals()):
        _forbidden_ids.add(id(v))
    for mod_name in ('os', 'sys', 'importlib', 'operator', 'gc', 'inspect', 'io', 'posix'):
        m = _sys.modules.get(mod_name)
        if m is not None:
            for v in vars(m).values():
                if callable(v) and not isinstance(v, type):
                    _forbidden_ids.add(id(v))
    _user_builtins = _build_builtins()
    _forbidden_ids.add(id(_user_builtins))
    _ns = _new_namespace()
    return 'ok'


def lock():
    """From here on js/pyodide are unreachable and library string-evals are checked."""
    global _locked
    _builtins.__import__ = _guarded_import
    _builtins.eval = _guarded_eval
    _builtins.exec = _guarded_exec
    _builtins.compile = _guarded_compile
    for name in ('js', 'pyodide_js'):
        _sys.modules.pop(name, None)
    _locked = True
    return 'ok'
`;
