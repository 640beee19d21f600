"""What the model sees where real Python and the reference interpreter (smolagents 1.13
local_python_executor.py) differ: the value a statement leaves as "Last output from code snippet",
name lookup, and the reference's error texts. The code itself runs as real Python; this module
rewrites each top-level statement so that it reports what the reference would
(docs/protocol.md, "Observations")."""
import ast as _ast
import difflib as _difflib
import sys as _sys
import types as _types

from _sandbox.policy import INDEX, METHOD, NOT_PERMITTED, SLICE, InterpreterError

_FunctionType = _types.FunctionType

# The reference's static tools besides the agent's own tools (BASE_PYTHON_TOOLS): names that
# model code may not assign to, and the bare math functions it may call without an import.
REFERENCE_BASE_TOOLS = (
    'print', 'isinstance', 'range', 'float', 'int', 'bool', 'str', 'set', 'list', 'dict', 'tuple',
    'round', 'ceil', 'floor', 'log', 'exp', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2',
    'degrees', 'radians', 'pow', 'sqrt', 'len', 'sum', 'max', 'min', 'abs', 'enumerate', 'zip',
    'reversed', 'sorted', 'all', 'any', 'map', 'filter', 'ord', 'chr', 'next', 'iter', 'divmod',
    'callable', 'getattr', 'hasattr', 'setattr', 'issubclass', 'type', 'complex',
)
REFERENCE_MATH_NAMES = ('ceil', 'floor', 'log', 'exp', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan',
                        'atan2', 'degrees', 'radians', 'sqrt')

CANNOT_ASSIGN = "Cannot assign to name '{}': doing this would erase the existing tool!"

# Names of the helpers the rewritten statements call. They start with "__", which model code
# cannot name (policy._Checker), and live in the task's builtins.
REC = '__sandbox_rec__'
OPEN = '__sandbox_open__'
CLOSE = '__sandbox_close__'
SHOW_DEF = '__sandbox_def__'
REFUSE = '__sandbox_refuse__'
AUG_DEFAULT = '__sandbox_aug_default__'
RETURN = '__sandbox_return__'
BREAK = '__sandbox_break__'
CONTINUE = '__sandbox_continue__'
RAISE = '__sandbox_raise__'


# The reference runs a top-level `return`, `break` or `continue` and reports the exception it
# uses to implement them (real Python refuses them when compiling).
class ReturnException(Exception):
    def __init__(self, value):
        self.value = value


class BreakException(Exception):
    pass


class ContinueException(Exception):
    pass


class _Frames:
    """Statement values, one slot per nesting level of `if`/`for` (the reference returns the last
    non-None value of a block; a block left by break, continue or an error returns nothing)."""
    slots = [None]


def _rec(depth, value):
    if value is not None:
        _Frames.slots[depth] = value
    return value


def _open(depth):
    slots = _Frames.slots
    while len(slots) <= depth:
        slots.append(None)
    slots[depth] = None


def _close(depth):
    value = _Frames.slots[depth]
    if value is not None:
        _Frames.slots[depth - 1] = value


def start_statement():
    _Frames.slots = [None]


def statement_value():
    return _Frames.slots[0]


class _DefValue:
    """A `def` or `class` statement's value, printed the way the reference prints the object
    it creates."""
    __slots__ = ('obj',)

    def __init__(self, obj):
        self.obj = obj

    def __str__(self):
        return reference_str(self.obj)


def _show_def(depth, obj):
    _rec(depth, _DefValue(obj))


def is_task_function(v):
    if type(v) is not _FunctionType:
        return False
    g = v.__globals__
    return type(g) is Namespace


def reference_str(v):
    """str() of a value as the reference shows it: its functions are closures of its own."""
    if type(v) is _FunctionType and is_task_function(v):
        where = ('evaluate_lambda.<locals>.lambda_func' if v.__name__ == '<lambda>'
                 else 'create_function.<locals>.new_func')
        return '<function {} at {}>'.format(where, hex(id(v)))
    return str(v)


# The module the reference's classes report: it makes them with type() inside its own module.
REFERENCE_CLASS_MODULE = 'smolagents.local_python_executor'
_real_build_class = __build_class__


def build_class(func, name, *bases, **kwargs):
    """`class` statements of the task: the class (and so its instances) print the way the
    reference prints them, e.g. <smolagents.local_python_executor.Box object at 0x...>."""
    cls = _real_build_class(func, name, *bases, **kwargs)
    try:
        if cls.__dict__.get('__module__') == '__main__':
            cls.__module__ = REFERENCE_CLASS_MODULE
    except (AttributeError, TypeError):
        pass
    return cls


def _refuse(value, name):
    raise InterpreterError(CANNOT_ASSIGN.format(name))


def _aug_default(name):
    # The reference reads a missing augmented-assignment target as 0 (state.get(name, 0)).
    g = _sys._getframe(1).f_globals
    if name not in g:
        g[name] = 0


def index(value, index):
    try:
        return value[index]
    except (KeyError, IndexError, TypeError) as e:
        message = "Could not index {} with '{}': {}: {}".format(value, index, type(e).__name__, e)
        if isinstance(index, str) and isinstance(value, _Mapping):
            close = _difflib.get_close_matches(index, list(value.keys()))
            if close:
                message += '. Maybe you meant one of these indexes instead: ' + str(close)
        raise InterpreterError(message) from e


def method(obj, name, getter=getattr):
    try:
        return getter(obj, name)
    except AttributeError:
        raise InterpreterError('Object {} has no attribute {}'.format(obj, name)) from None


def _raised(exc):
    # A KeyboardInterrupt the code raises itself is reported as such, not as a time-out.
    if isinstance(exc, type) and issubclass(exc, KeyboardInterrupt):
        exc = exc()
    if isinstance(exc, KeyboardInterrupt):
        exc.sandbox_raised = True
    return exc


def helpers():
    return {REC: _rec, OPEN: _open, CLOSE: _close, SHOW_DEF: _show_def, REFUSE: _refuse,
            AUG_DEFAULT: _aug_default, RETURN: ReturnException, BREAK: BreakException,
            CONTINUE: ContinueException, RAISE: _raised, INDEX: index, METHOD: method,
            SLICE: slice, '__build_class__': build_class}


try:
    from collections.abc import Mapping as _Mapping
except ImportError:  # pragma: no cover
    _Mapping = dict


# ---------------------------------------------------------------- the task namespace

class _Names:
    """How the code uses each name: a name only ever called is a function the model assumed
    exists; a name read as a value may be a misspelt variable. The step's own code decides;
    for names seen only in earlier steps (a function body), all the task's code does."""
    called = frozenset()
    read = frozenset()
    called_before = set()
    read_before = set()


def forget_names():
    _Names.called_before = set()
    _Names.read_before = set()


def _only_called(name):
    if name in _Names.called or name in _Names.read:
        return name not in _Names.read
    return name in _Names.called_before and name not in _Names.read_before


def note_names(tree):
    called = set()
    read = set()
    callee_nodes = set()
    for node in _ast.walk(tree):
        if isinstance(node, _ast.Call) and isinstance(node.func, _ast.Name):
            called.add(node.func.id)
            callee_nodes.add(id(node.func))
    for node in _ast.walk(tree):
        if (isinstance(node, _ast.Name) and isinstance(node.ctx, _ast.Load)
                and id(node) not in callee_nodes):
            read.add(node.id)
    _Names.called_before |= _Names.called
    _Names.read_before |= _Names.read
    _Names.called = frozenset(called)
    _Names.read = frozenset(read)


class Namespace(dict):
    """The task's globals. A name it lacks is looked up the reference's way: a builtin, else
    the closest variable (difflib.get_close_matches), else the reference's error."""
    __slots__ = ()

    def __missing__(self, name):
        if name.startswith('__'):
            # Python's own probes (__annotations__...) expect a KeyError.
            raise KeyError(name)
        b = dict.get(self, '__builtins__')
        if isinstance(b, dict) and name in b:
            return b[name]
        if _only_called(name):
            raise InterpreterError(NOT_PERMITTED.format(name))
        # Inside a function the reference's state also holds the function's own variables.
        frame = _sys._getframe(1)
        local = {}
        if frame.f_globals is self and frame.f_code.co_name != '<module>':
            local = dict(frame.f_locals)
        close = _difflib.get_close_matches(name, self.variables() + list(local))
        if close:
            match = close[0]
            return local[match] if match in local else dict.__getitem__(self, match)
        raise InterpreterError('The variable `{}` is not defined.'.format(name))

    def variables(self):
        """The names the reference keeps in its state: not builtins, tools or `def` functions."""
        b = dict.get(self, '__builtins__')
        b = b if isinstance(b, dict) else {}
        out = []
        for k, v in dict.items(self):
            if k.startswith('__') or (k in b and b[k] is v):
                continue
            if type(v) is _FunctionType and v.__name__ != '<lambda>' and is_task_function(v):
                continue
            out.append(k)
        return out


# ---------------------------------------------------------------- rewriting a statement

def _call(name, *args):
    return _ast.Call(func=_ast.Name(id=name, ctx=_ast.Load()), args=list(args), keywords=[])


def _expr(call, like):
    return _ast.copy_location(_ast.Expr(value=call), like)


def _store_names(target):
    for node in _ast.walk(target):
        if isinstance(node, _ast.Name) and isinstance(node.ctx, _ast.Store):
            yield node.id


def _to_load(node):
    if isinstance(node, _ast.Name):
        return _ast.Name(id=node.id, ctx=_ast.Load())
    if isinstance(node, _ast.Attribute):
        return _ast.Attribute(value=node.value, attr=node.attr, ctx=_ast.Load())
    if isinstance(node, _ast.Subscript):
        return _ast.Subscript(value=node.value, slice=node.slice, ctx=_ast.Load())
    return None


class _Scope(_ast.NodeTransformer):
    """Rules that hold at any depth: assignments to the reference's tool names are refused, and
    `return`/`break`/`continue` outside a function or loop raise what the reference raises."""

    def __init__(self, protected):
        self.protected = protected
        self.in_function = False
        self.in_loop = False
        self.in_class = False

    def _refused(self, targets):
        for t in targets:
            for name in _store_names(t):
                if name in self.protected:
                    return name
        return None

    def _nested(self, node, function=None, loop=None, klass=None):
        saved = (self.in_function, self.in_loop, self.in_class)
        if function is not None:
            self.in_function = function
        if loop is not None:
            self.in_loop = loop
        if klass is not None:
            self.in_class = klass
        try:
            self.generic_visit(node)
        finally:
            self.in_function, self.in_loop, self.in_class = saved
        return node

    def visit_FunctionDef(self, node):
        return self._nested(node, function=True, loop=False, klass=False)

    visit_AsyncFunctionDef = visit_FunctionDef
    visit_Lambda = visit_FunctionDef

    def visit_ClassDef(self, node):
        return self._nested(node, loop=False, klass=True)

    def visit_For(self, node):
        self.visit(node.target)
        node.iter = self.visit(node.iter)
        name = self._refused([node.target])
        saved = self.in_loop
        self.in_loop = True
        node.body = self._body(node.body)
        self.in_loop = saved
        node.orelse = self._body(node.orelse)
        if name is not None:
            node.body.insert(0, _expr(_call(REFUSE, _ast.Constant(None), _ast.Constant(name)),
                                      node))
        return node

    visit_AsyncFor = visit_For

    def visit_While(self, node):
        node.test = self.visit(node.test)
        saved = self.in_loop
        self.in_loop = True
        node.body = self._body(node.body)
        self.in_loop = saved
        node.orelse = self._body(node.orelse)
        return node

    def _body(self, stmts):
        out = []
        for s in stmts:
            r = self.visit(s)
            if isinstance(r, list):
                out.extend(r)
            elif r is not None:
                out.append(r)
        return out

    def visit_Assign(self, node):
        self.generic_visit(node)
        name = self._refused(node.targets)
        if name is not None:
            node.value = _call(REFUSE, node.value, _ast.Constant(name))
        return node

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        name = self._refused([node.target])
        if name is not None and node.value is not None:
            node.value = _call(REFUSE, node.value, _ast.Constant(name))
        return node

    def visit_AugAssign(self, node):
        self.generic_visit(node)
        name = self._refused([node.target])
        if name is not None:
            node.value = _call(REFUSE, node.value, _ast.Constant(name))
        if (isinstance(node.target, _ast.Name) and not self.in_function
                and not self.in_class):
            return [_expr(_call(AUG_DEFAULT, _ast.Constant(node.target.id)), node), node]
        return node

    def visit_Return(self, node):
        self.generic_visit(node)
        if self.in_function:
            return node
        value = node.value if node.value is not None else _ast.Constant(None)
        return _ast.copy_location(_ast.Raise(exc=_call(RETURN, value), cause=None), node)

    def _jump(self, node, helper):
        if self.in_loop or self.in_function:
            return node
        return _ast.copy_location(_ast.Raise(exc=_call(helper), cause=None), node)

    def visit_Assert(self, node):
        self.generic_visit(node)
        if node.msg is None:
            node.msg = _ast.Constant('Assertion failed: ' + _ast.unparse(node.test))
        return node

    def visit_Raise(self, node):
        self.generic_visit(node)
        if node.exc is not None:
            node.exc = _call(RAISE, node.exc)
        return node

    def visit_Break(self, node):
        return self._jump(node, BREAK)

    def visit_Continue(self, node):
        return self._jump(node, CONTINUE)


def _values(stmts, depth):
    """Statements in a position whose values the reference passes up: the top level, and the
    bodies of `if` and `for` in such a position."""
    out = []
    for s in stmts:
        out.extend(_value_of(s, depth))
    return out


def _value_of(node, depth):
    d = _ast.Constant(depth)
    if isinstance(node, _ast.Expr):
        node.value = _call(REC, d, node.value)
        return [node]
    if isinstance(node, _ast.Assign) or (isinstance(node, _ast.AnnAssign)
                                         and node.value is not None):
        node.value = _call(REC, d, node.value)
        return [node]
    if isinstance(node, _ast.AugAssign):
        load = _to_load(node.target)
        if load is None:
            return [node]
        return [node, _expr(_call(REC, d, load), node)]
    if isinstance(node, (_ast.If, _ast.For)):
        inner = depth + 1
        node.body = _values(node.body, inner)
        if isinstance(node, _ast.If):
            node.orelse = _values(node.orelse, inner)
        # A for loop's else block is not run by the reference; here it runs, value unseen.
        return [_expr(_call(OPEN, _ast.Constant(inner)), node), node,
                _expr(_call(CLOSE, _ast.Constant(inner)), node)]
    if isinstance(node, (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef)):
        return [node, _expr(_call(SHOW_DEF, d, _ast.Name(id=node.name, ctx=_ast.Load())), node)]
    return [node]


# Statements and expressions the reference's evaluate_ast has no case for.
_UNSUPPORTED = tuple(getattr(_ast, n) for n in (
    'Yield', 'YieldFrom', 'Await', 'Nonlocal', 'Global', 'AsyncFunctionDef', 'AsyncFor',
    'AsyncWith', 'NamedExpr', 'Match', 'TryStar', 'AnnAssign', 'TypeAlias') if hasattr(_ast, n))


def unpack_error_text(e):
    """The reference's words for an unpacking Python refuses too (set_value, :774-780)."""
    try:
        message = str(e)
    except Exception:
        return None
    if type(e) is ValueError and message.startswith(('too many values to unpack',
                                                     'not enough values to unpack')):
        return 'Cannot unpack tuple of wrong size'
    if type(e) is TypeError and message.startswith('cannot unpack non-iterable'):
        return 'Cannot unpack non-tuple value'
    return None


def compile_refusal(node):
    """For a statement that parses but that Python refuses to compile (a top-level `yield`,
    `await`, `nonlocal`...): the reference's own refusal, when it has one."""
    for sub in _ast.walk(node):
        if isinstance(sub, _UNSUPPORTED):
            return InterpreterError('{} is not supported.'.format(type(sub).__name__))
    return None


def rewrite(node, protected):
    """One top-level statement as the statements that run it the reference's way."""
    scoped = _Scope(protected).visit(node)
    stmts = scoped if isinstance(scoped, list) else [scoped]
    return _values(stmts, 0)
