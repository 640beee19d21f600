"""The task namespace: the builtins model code sees, and the per-candidate deep copy SAG needs."""
import builtins as _builtins
import copy as _copy
import types as _types

import math as _math

from _sandbox import parity, policy
from _sandbox.final import FinalAnswer, final_answer
from _sandbox.output import sandbox_print

_ModuleType = _types.ModuleType
_FunctionType = _types.FunctionType
_real_getattr = getattr

_SAFE_BUILTIN_NAMES = [
    'abs', 'all', 'any', 'ascii', 'bin', 'bool', 'bytearray', 'bytes', 'callable', 'chr',
    'classmethod', 'complex', 'dict', 'dir', 'divmod', 'enumerate', 'filter', 'float', 'format',
    'frozenset', 'hash', 'hex', 'id', 'int', 'isinstance', 'issubclass', 'iter', 'len', 'list',
    'map', 'max', 'min', 'next', 'object', 'oct', 'ord', 'pow', 'property', 'range', 'repr',
    'reversed', 'round', 'set', 'slice', 'sorted', 'staticmethod', 'str', 'sum', 'super', 'tuple',
    'type', 'zip', 'True', 'False', 'None', 'Ellipsis', 'NotImplemented', '__build_class__',
]


class _State:
    builtins = {}
    tools = {}
    protected = frozenset()
    pinned = {}


def set_tools(tools):
    _State.tools = dict(tools)


def _checked_index(value, index):
    return policy._check(parity.index(value, index))


def _checked_method(obj, name):
    return parity.method(obj, name, policy._safe_attr)


def _same(v):
    return v


def build_builtins(enforce):
    """The builtins model code sees; with the policy off, the real ones plus the tools."""
    if not enforce:
        b = dict(vars(_builtins))
        b.update(_common())
        b[policy._CHECK] = _same
        b[policy._ATTR] = getattr
        b[policy._MUTABLE] = _same
        return _keep(b)
    b = {}
    for n in _SAFE_BUILTIN_NAMES:
        b[n] = _real_getattr(_builtins, n)
    for n, v in vars(_builtins).items():
        if isinstance(v, type) and issubclass(v, BaseException):
            b[n] = v
    for n in policy._FORBIDDEN_CALLS:
        b[n] = policy._forbidden_call(n)
    b['__import__'] = policy._guarded_import
    b['getattr'] = policy._safe_getattr
    b['hasattr'] = policy._safe_hasattr
    b['setattr'] = policy._safe_setattr
    b['delattr'] = policy._safe_delattr
    b.update(_common())
    b[policy._CHECK] = policy._check
    b[policy._ATTR] = policy._safe_attr
    b[policy._MUTABLE] = policy._mutable
    b[policy.INDEX] = _checked_index
    b[policy.METHOD] = _checked_method
    return _keep(b)


def _common():
    # Held in a list or dict, these pass the value check like the builtins they stand for.
    sandbox_print.__module__ = final_answer.__module__ = 'builtins'
    b = {n: _real_getattr(_math, n) for n in parity.REFERENCE_MATH_NAMES}
    b['print'] = sandbox_print
    b['final_answer'] = final_answer
    b['InterpreterError'] = policy.InterpreterError
    b.update(parity.helpers())
    b.update(_State.tools)
    return b


def _keep(b):
    _State.builtins = b
    # Names model code cannot rebind (the reference's tools) and the helpers statements call.
    _State.protected = frozenset(parity.REFERENCE_BASE_TOOLS) | frozenset(_State.tools) | {
        'final_answer'}
    _State.pinned = {k: b[k] for k in b if k in _State.protected or k.startswith('__sandbox')}
    return b


def protected_names():
    return _State.protected


def restore_pinned(ns):
    """Undoes any rebinding of a tool, a pinned builtin or a helper (def, import as, del...)."""
    dict.update(ns, _State.pinned)


def new_namespace():
    ns = parity.Namespace()
    # The builtins live in the namespace itself: lookups that hit never reach __missing__.
    dict.update(ns, _State.builtins)
    dict.update(ns, {'__builtins__': _State.builtins, '__name__': '__main__',
                     '__sandbox_user__': True})
    return ns


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
    return (type(v) is type
            and v.__dict__.get('__module__') in (ns.get('__name__'), parity.REFERENCE_CLASS_MODULE)
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


def copy_namespace(ns):
    """Deep copy of the user's variables: modules are shared; functions and the classes the task
    defined are rebuilt on the copy, so nothing a candidate changes reaches another."""
    new = parity.Namespace()
    memo = {}
    class_cells = {}
    b = _State.builtins
    for k, v in ns.items():
        if (k.startswith('__') or b.get(k) is v
                or (isinstance(v, _ATOMIC) and not _is_user_class(v, ns))):
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
        except (KeyboardInterrupt, FinalAnswer):
            raise
        except BaseException:
            # A class that cannot be rebuilt (a failing __init_subclass__...) stays shared.
            new[k] = v
            memo[id(v)] = v
    # Class attributes (a registry list, a cache) may hold instances of any of the classes.
    for copy, k in data:
        try:
            setattr(copy, k, _copy.deepcopy(copy.__dict__[k], memo))
        except (KeyboardInterrupt, FinalAnswer):
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
        except (KeyboardInterrupt, FinalAnswer):
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
        except (KeyboardInterrupt, FinalAnswer):
            raise
        except BaseException:
            pass
