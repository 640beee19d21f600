"""Tools as Python functions: arguments checked like a Python call, then sent to the host as
JSON bytes through a file (a character device in Pyodide); the reply comes back as bytes. Python
never holds anything of the host but a file descriptor (docs/protocol.md, "Tools")."""
import json as _json
import math as _math
import os as _os


def device_transport(path):
    """Requests and replies through the runtime's tool device (runtime.ts installToolDevice)."""
    fd = _os.open(path, _os.O_RDWR)

    def send(request):
        _os.write(fd, request.encode('utf-8'))
        chunks = []
        while True:
            chunk = _os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        return b''.join(chunks).decode('utf-8')
    return send


_JSON_DEPTH = 16


def _jsonable(name, param, v, depth=0):
    """The argument as JSON the host can read, or a TypeError that tells the model what a
    tool accepts: JSON has no nan, sets or objects, and the host must never see invalid JSON."""
    if v is None or isinstance(v, (bool, str)):
        return str(v) if isinstance(v, str) and type(v) is not str else v
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float) and _math.isfinite(v):
        return float(v)
    if depth < _JSON_DEPTH and isinstance(v, (list, tuple)):
        return [_jsonable(name, param, x, depth + 1) for x in v]
    if depth < _JSON_DEPTH and isinstance(v, dict) and all(isinstance(k, str) for k in v):
        return {str(k): _jsonable(name, param, x, depth + 1) for k, x in v.items()}
    try:
        shown = repr(v)
    except Exception:
        shown = '?'
    if len(shown) > 60:
        shown = shown[:57] + '...'
    raise TypeError('{}() cannot take {} for {!r}: a tool argument must be a str, int, float, '
                    'bool, None, or a list or dict of those (got {}).'.format(
                        name, shown, param, type(v).__name__))


def make_tool(name, params, transport):
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
        args_json = {k: _jsonable(name, k, v) for k, v in bound.items()}
        request = _json.dumps({'name': name, 'args': args_json}, allow_nan=False)
        reply = _json.loads(transport(request))
        if reply.get('interrupted'):
            raise KeyboardInterrupt
        if not reply.get('ok'):
            raise RuntimeError(reply.get('message') or name + ' failed')
        return reply.get('text', '')
    tool.__name__ = name
    tool.__qualname__ = name
    tool.__module__ = '__main__'
    return tool
