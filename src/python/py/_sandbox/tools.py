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


def _jsonable(v, depth=0):
    """The argument as JSON the host can read: what JSON cannot carry (nan, sets, objects)
    goes as its str(), so the tool answers the model instead of failing on the transport."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, int):
        return v if abs(v) < 2 ** 53 else str(v)
    if isinstance(v, float):
        return v if _math.isfinite(v) else str(v)
    if depth < 8 and isinstance(v, (list, tuple)):
        return [_jsonable(x, depth + 1) for x in v]
    if depth < 8 and isinstance(v, dict):
        return {str(k): _jsonable(x, depth + 1) for k, x in v.items()}
    try:
        return str(v)
    except Exception:
        return '<unprintable {}>'.format(type(v).__name__)


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
        args_json = {k: _jsonable(v) for k, v in bound.items()}
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
