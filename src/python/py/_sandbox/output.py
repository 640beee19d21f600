"""What a step prints and returns, cut to the lengths smolagents 1.13 shows the model."""
from _sandbox.parity import reference_str

TRUNC_MSG = "\n..._This content has been truncated to stay below {} characters_...\n"
MAX_LOGS = 50000
MAX_OUTPUT = 20000


def truncate_content(content, max_length):
    if len(content) <= max_length:
        return content
    return content[: max_length // 2] + TRUNC_MSG.format(max_length) + content[-max_length // 2:]


class Logs:
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
        return self.head + TRUNC_MSG.format(MAX_LOGS) + rest[-(MAX_LOGS // 2):]


class _Current:
    logs = Logs()


def start_logs():
    _Current.logs = Logs()


def take_logs():
    text = _Current.logs.value()
    _Current.logs = Logs()
    return text


def sandbox_print(*args, **kwargs):
    _Current.logs.write(' '.join(map(reference_str, args)) + '\n')
    return None
