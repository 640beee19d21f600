"""The sandbox policy: restricted builtins, a static check of each statement, runtime checks on
attribute/call/subscript results, a global import hook and checked string-eval in libraries
(sympify and lambdify eval strings the user controls). It produces the error texts the
checkpoints were trained on; the security boundary is the realm the interpreter runs in."""
import ast as _ast
import builtins as _builtins
import sys as _sys
import types as _types

AUTHORIZED_IMPORTS = ['collections', 'datetime', 'itertools', 'math', 'queue', 'random', 're',
                      'stat', 'statistics', 'time', 'unicodedata', 'numpy', 'numpy.linalg', 'sympy']
_AUTH_SET = frozenset(AUTHORIZED_IMPORTS)
# Packages whose objects user code may hold (allowed imports plus their own dependencies; the
# task's own classes report the reference's module, parity.REFERENCE_CLASS_MODULE).
_SAFE_TOPS = frozenset(['collections', 'datetime', 'itertools', 'math', 'queue', 'random', 're',
                        'stat', 'statistics', 'time', 'unicodedata', 'numpy', 'sympy', 'mpmath',
                        'builtins', '__main__', 'smolagents', '_collections', '_datetime',
                        '_pydatetime', '_random', '_queue', '_statistics', '_stat', 'fractions',
                        'decimal', '_decimal', '_pydecimal', 'numbers'])
# String eval/exec from these stdlib modules is code they generate themselves.
_EXEC_TRUSTED = frozenset(['collections', 'dataclasses', 'typing', 'enum', 'functools', 'string',
                           'importlib._bootstrap', 'importlib._bootstrap_external', 'ast',
                           '_frozen_importlib', '_frozen_importlib_external', 'zipimport',
                           'abc', 'annotationlib', 'inspect'])
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

_real_import = _builtins.__import__
_real_eval = _builtins.eval
_real_exec = _builtins.exec
_real_compile = _builtins.compile
_real_getattr = getattr
_ModuleType = _types.ModuleType
_FunctionType = _types.FunctionType
_forbidden_types = (_types.FrameType, _types.TracebackType, _types.CodeType, _types.CellType)
_forbidden_ids = set()


class _State:
    js_proxy = None
    locked = False


NOT_PERMITTED = ('It is not permitted to evaluate other functions than the provided tools or '
                 'functions defined/imported in previous code (tried to execute {}).')


class InterpreterError(ValueError):
    """What smolagents raises for policy violations; the type name reaches the model."""


def _policy(message):
    e = InterpreterError(message)
    e.sandbox_policy = True
    return e


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
    if _State.js_proxy is not None and isinstance(v, _State.js_proxy):
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
        raise _policy(NOT_PERMITTED.format(name))
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
METHOD = '__sandbox_method__'
INDEX = '__sandbox_index__'
SLICE = '__sandbox_slice__'


def _mutable(obj):
    if type(obj) is _ModuleType:
        raise _policy('Forbidden assignment to an attribute of module ' + obj.__name__)
    return obj


def _name(id_):
    return _ast.Name(id=id_, ctx=_ast.Load())


class _Guard(_ast.NodeTransformer):
    """Routes attribute reads, calls and subscripts through helpers: the runtime value check,
    and the reference's texts for a missing method and a failed index (parity.py)."""

    def _wrap(self, node):
        call = _ast.Call(func=_name(_CHECK), args=[node], keywords=[])
        return _ast.copy_location(call, node)

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, _ast.Load):
            call = _ast.Call(func=_name(_ATTR), args=[node.value, _ast.Constant(node.attr)],
                             keywords=[])
            return _ast.copy_location(call, node)
        # Stores and deletes: the object must not be a shared module.
        target = _ast.Call(func=_name(_MUTABLE), args=[node.value], keywords=[])
        node.value = _ast.copy_location(target, node.value)
        return node

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, _ast.Attribute) and isinstance(func.ctx, _ast.Load):
            value = self.visit(func.value)
            node.func = _ast.copy_location(
                _ast.Call(func=_name(METHOD), args=[value, _ast.Constant(func.attr)],
                          keywords=[]), func)
            node.args = [self.visit(a) for a in node.args]
            node.keywords = [self.visit(k) for k in node.keywords]
        else:
            self.generic_visit(node)
            # The executor's own helpers (parity.py) hand back values the code already holds.
            if isinstance(func, _ast.Name) and func.id.startswith('__sandbox'):
                return node
        return self._wrap(node)

    def visit_Subscript(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, _ast.Load):
            call = _ast.Call(func=_name(INDEX), args=[node.value, _index_expr(node.slice)],
                             keywords=[])
            return _ast.copy_location(call, node)
        return node


def _index_expr(node):
    """The value an index expression evaluates to, slices included."""
    if isinstance(node, _ast.Slice):
        parts = [p if p is not None else _ast.Constant(None)
                 for p in (node.lower, node.upper, node.step)]
        return _ast.copy_location(_ast.Call(func=_name(SLICE), args=parts, keywords=[]), node)
    if isinstance(node, _ast.Tuple) and any(isinstance(e, _ast.Slice) for e in node.elts):
        return _ast.copy_location(
            _ast.Tuple(elts=[_index_expr(e) for e in node.elts], ctx=_ast.Load()), node)
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
    if _State.locked and level == 0:
        top = _top(name)
        if (top in _HARD_DENY or top.startswith('_pyodide')) and not _is_pyodide_internal(caller):
            raise _policy(_import_message(name, fromlist))
    if not _State.locked or _is_module_globals(caller):
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
    if not _State.locked:
        return False
    f = _sys._getframe(2)
    caller = f.f_globals
    if _is_module_globals(caller) and _exec_trusted(caller.get('__name__')):
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


def _exec_trusted(name):
    return name in _EXEC_TRUSTED or name == '_sandbox' or name.startswith('_sandbox.')


def find_js_proxy_type():
    try:
        from pyodide.ffi import JsProxy
        _State.js_proxy = JsProxy
    except Exception:
        _State.js_proxy = None


def forbid_id(v):
    _forbidden_ids.add(id(v))


def forbid_internals(sandbox_dicts):
    """The real builtins and the containers that lead to every module or the import machinery."""
    for f in (_real_eval, _real_exec, _real_compile, _builtins.open, _real_import,
              _builtins.breakpoint, _builtins.input, _builtins.globals, _builtins.locals,
              _builtins.vars, getattr, setattr, delattr):
        _forbidden_ids.add(id(f))
    for v in (_sys.modules, _sys.meta_path, _sys.path_hooks, _sys.path_importer_cache,
              vars(_builtins), *sandbox_dicts):
        _forbidden_ids.add(id(v))
    for mod_name in ('os', 'sys', 'importlib', 'operator', 'gc', 'inspect', 'io', 'posix'):
        m = _sys.modules.get(mod_name)
        if m is not None:
            for v in vars(m).values():
                if callable(v) and not isinstance(v, type):
                    _forbidden_ids.add(id(v))


def lock(builtins_module):
    """From here on js/pyodide are unreachable and library string-evals are checked."""
    builtins_module.__import__ = _guarded_import
    builtins_module.eval = _guarded_eval
    builtins_module.exec = _guarded_exec
    builtins_module.compile = _guarded_compile
    for name in ('js', 'pyodide_js'):
        _sys.modules.pop(name, None)
    _State.locked = True
