"""Tools as Python functions: arguments checked like a Python call, then sent to the host."""
import json as _json


def make_tool(name, params, bridge):
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
