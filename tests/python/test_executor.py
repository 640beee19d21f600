"""The executor's observations under CPython, written from the reference interpreter
(smolagents 1.13 local_python_executor.py; docs/protocol.md, "Observations")."""
import re
import unittest

from sandbox_harness import Sandbox

FUNC = re.compile(r'^<function create_function\.<locals>\.new_func at 0x[0-9a-f]+>$')
LAMBDA = re.compile(r'^<function evaluate_lambda\.<locals>\.lambda_func at 0x[0-9a-f]+>$')


def failed(line, text):
    return "Code execution failed at line '{}' due to: {}".format(line, text)


class Case(unittest.TestCase):
    def setUp(self):
        self.sb = Sandbox()

    def out(self, code, expected):
        self.assertEqual(self.sb.output(code), expected, code)

    def err(self, code, expected):
        self.assertEqual(self.sb.error(code), expected, code)


class SimpleStatements(Case):
    def test_expression_and_assignment(self):
        self.out('1 + 1', '2')
        self.out('x = 5', '5')
        self.out('a, b = 1, 2', '(1, 2)')
        self.out('x = None', 'None')

    def test_augmented_assignment_shows_the_new_value(self):
        self.sb.run('x = 5')
        self.out('x += 2', '7')
        self.out('lst = [1]\nlst += [2]', '[1, 2]')
        self.out("m = {'x': 1}\nm['x'] += 5", '6')

    def test_augmented_assignment_to_a_new_name_starts_from_zero(self):
        # The reference reads a missing target as 0 (state.get(name, 0)).
        self.out('cnt += 2\ncnt', '2')

    def test_print_goes_to_logs_and_the_value_is_none(self):
        r = self.sb.run('print("a", 1)\nprint("b")')
        self.assertEqual(r['logs'], 'a 1\nb\n')
        self.assertEqual(r['output'], 'None')

    def test_pass_import_delete_and_while_show_none(self):
        self.out('import math', 'None')
        self.out('y = 1\ndel y', 'None')
        self.out('n = 0\nwhile n < 3:\n    n += 1', 'None')
        self.out('if True:\n    pass', 'None')

    def test_final_answer(self):
        r = self.sb.run('final_answer(42)')
        self.assertEqual(r['status'], 'final')
        self.assertEqual(r['output'], '42')
        self.assertEqual(r['finalAnswer'], {'text': '42', 'type': 'int'})

    def test_state_persists(self):
        self.sb.run('y = [1, 2]')
        self.out('y.append(3)\ny', '[1, 2, 3]')

    def test_tool_call(self):
        self.out('web_search("cats")', 'passages for cats')
        self.assertEqual(self.sb.calls, [('web_search', {'query': 'cats'})])

    def test_reference_math_names_need_no_import(self):
        self.out('sqrt(16)', '4.0')
        self.out('floor(2.5) + ceil(2.5)', '5')


class Loops(Case):
    def test_for_shows_the_last_value_its_body_produced(self):
        self.out('total = 0\nfor i in range(4):\n    total += i', '6')
        self.out('for i in range(3):\n    x = i * 10\n    None', '20')

    def test_for_with_only_prints_or_no_iterations_shows_none(self):
        r = self.sb.run('for i in range(3):\n    print(i)')
        self.assertEqual((r['logs'], r['output']), ('0\n1\n2\n', 'None'))
        self.out('for i in []:\n    z = 1', 'None')

    def test_break_keeps_the_loop_value_but_drops_the_unfinished_if(self):
        self.out('for i in range(3):\n    if i == 1:\n        y = 10\n        break', 'None')
        self.out('for i in range(3):\n    if i == 2:\n        break\n    u = i * 10', '10')

    def test_nested_loops_pass_their_value_up(self):
        self.out('acc = []\nfor i in range(2):\n    for j in range(2):\n        s = i + j', '2')

    def test_values_inside_try_with_and_while_do_not_count(self):
        self.out('for i in range(3):\n    try:\n        q = i\n    except Exception:\n        pass',
                 'None')
        self.out('for i in range(2):\n    n = 0\n    while n < 1:\n        n += 1', '0')

    def test_for_over_a_dict(self):
        r = self.sb.run("data = {'a': 1}\nfor k, v in data.items():\n    print(k, v)\n    v")
        self.assertEqual((r['logs'], r['output']), ('a 1\n', '1'))

    def test_while_shows_none(self):
        self.out('k = 0\nwhile k < 5:\n    k += 1\n    k', 'None')


class Conditionals(Case):
    def test_if_shows_the_value_of_the_branch_taken(self):
        self.out('x = 3\nif x > 2:\n    y = x * 10', '30')
        self.out('x = 1\nif x > 2:\n    y = 1\nelse:\n    y = 2', '2')
        self.out('x = 5\nif x > 10:\n    y = 1\nelif x > 3:\n    y = 2\nelse:\n    y = 3', '2')

    def test_if_not_taken_shows_none(self):
        self.out('if False:\n    1', 'None')

    def test_nested_if_and_last_non_none(self):
        self.out('if True:\n    if False:\n        1\n    2', '2')
        self.out('if True:\n    v = 7\n    print("p")', '7')

    def test_conditional_expression(self):
        self.out('x = 3\ny = x if x > 2 else 0', '3')


class Definitions(Case):
    def test_def_shows_the_function_as_the_reference_prints_it(self):
        self.assertRegex(self.sb.output('def f(a):\n    return a'), FUNC)
        self.assertRegex(self.sb.output('f'), FUNC)
        self.out('f(3)', '3')

    def test_printing_a_function(self):
        r = self.sb.run('def f():\n    return 1\nprint(f)')
        self.assertRegex(r['logs'].strip(), FUNC)

    def test_lambda(self):
        self.assertRegex(self.sb.output('g = lambda y: y + 1'), LAMBDA)
        self.out('g(1)', '2')

    def test_class(self):
        self.out('class A:\n    def m(self):\n        return 1',
                 "<class 'smolagents.local_python_executor.A'>")
        self.out('A().m()', '1')
        self.assertRegex(self.sb.output('A()'),
                         r'^<smolagents\.local_python_executor\.A object at 0x[0-9a-f]+>$')
        self.out('type(A()).__name__', 'A')

    def test_try_and_with_show_none(self):
        self.out('try:\n    v = 1/0\nexcept ZeroDivisionError:\n    v = 0', 'None')
        r = self.sb.run('try:\n    pass\nfinally:\n    print("f")')
        self.assertEqual((r['logs'], r['output']), ('f\n', 'None'))


class Errors(Case):
    def test_undefined_variable(self):
        self.err('undefined_thing_xyz + 1', failed(
            'undefined_thing_xyz + 1',
            'InterpreterError: The variable `undefined_thing_xyz` is not defined.'))

    def test_undefined_function(self):
        self.err('zz(1)', failed('zz(1)', (
            'InterpreterError: It is not permitted to evaluate other functions than the provided '
            'tools or functions defined/imported in previous code (tried to execute zz).')))

    def test_indexing(self):
        self.err('d = {"a": 1}\nd["b"]',
                 failed('d["b"]', "InterpreterError: Could not index {'a': 1} with 'b': "
                                  "KeyError: 'b'"))
        self.err('d["aa"]', failed('d["aa"]', (
            "InterpreterError: Could not index {'a': 1} with 'aa': KeyError: 'aa'. "
            "Maybe you meant one of these indexes instead: ['a']")))
        self.err('[1][5]', failed('[1][5]', "InterpreterError: Could not index [1] with '5': "
                                            "IndexError: list index out of range"))
        self.err('t = (1, 2)\nt[5]', failed('t[5]', (
            "InterpreterError: Could not index (1, 2) with '5': IndexError: tuple index out of "
            "range")))

    def test_error_inside_a_loop_names_the_whole_statement(self):
        self.err('for i in range(3):\n    z = [1][i]', failed(
            'for i in range(3):\n    z = [1][i]',
            "InterpreterError: Could not index [1] with '1': IndexError: list index out of range"))

    def test_missing_method_and_attribute(self):
        self.err('x = 5\nx.foo()',
                 failed('x.foo()', 'InterpreterError: Object 5 has no attribute foo'))
        self.err('x.bar', failed('x.bar', "AttributeError: 'int' object has no attribute 'bar'"))
        self.err('None.bar()', failed('None.bar()',
                                      'InterpreterError: Object None has no attribute bar'))

    def test_assignment_to_a_tool_name(self):
        for line, name in (('web_search = 1', 'web_search'), ('sum = 0', 'sum'),
                           ('final_answer = 3', 'final_answer'), ('print = 3', 'print'),
                           ('for print in range(2):\n    pass', 'print')):
            self.err(line, failed(line, (
                "InterpreterError: Cannot assign to name '{}': doing this would erase the "
                'existing tool!').format(name)))
        self.out('web_search("x")', 'passages for x')

    def test_unpacking_python_refuses_too(self):
        self.err('a, b = [1, 2, 3]', failed('a, b = [1, 2, 3]',
                                            'InterpreterError: Cannot unpack tuple of wrong size'))
        self.err('a, b = 5', failed('a, b = 5', 'InterpreterError: Cannot unpack non-tuple value'))
        self.err('for x, y in [(1, 2, 3)]:\n    pass', failed(
            'for x, y in [(1, 2, 3)]:\n    pass',
            'InterpreterError: Cannot unpack tuple of wrong size'))

    def test_assert(self):
        self.err('assert 1 == 2', failed('assert 1 == 2',
                                         'AssertionError: Assertion failed: 1 == 2'))
        self.err("assert 1 == 2, 'msg'", failed("assert 1 == 2, 'msg'", 'AssertionError: msg'))

    def test_top_level_return_break_continue(self):
        self.err('return 5', failed('return 5', 'ReturnException: 5'))
        self.err('break', failed('break', 'BreakException: '))
        self.err('continue', failed('continue', 'ContinueException: '))

    def test_what_python_will_not_compile_gets_the_reference_refusal(self):
        self.err('yield 5', failed('yield 5', 'InterpreterError: Yield is not supported.'))
        self.err('x = await f()', failed('x = await f()',
                                         'InterpreterError: Await is not supported.'))
        self.err('nonlocal q', failed('nonlocal q', 'InterpreterError: Nonlocal is not supported.'))

    def test_plain_python_errors(self):
        self.err('1/0', failed('1/0', 'ZeroDivisionError: division by zero'))
        self.err("int('x')", failed("int('x')", (
            "ValueError: invalid literal for int() with base 10: 'x'")))
        self.err("raise ValueError('bad')",
                 failed("raise ValueError('bad')", 'ValueError: bad'))

    def test_logs_before_the_error_are_kept(self):
        r = self.sb.run('print("before")\ny = 1 / 0\nprint("after")')
        self.assertEqual(r['logs'], 'before\n')

    def test_syntax_error(self):
        try:
            compile('x = (', '<unknown>', 'exec', dont_inherit=True)
        except SyntaxError as e:
            caret = '{}{}^\n'.format(e.text, ' ' * (e.offset or 0))
        self.assertEqual(self.sb.error('x = ('), (
            'Code parsing failed on line 1 due to: SyntaxError\n' + caret
            + "Error: '(' was never closed (<unknown>, line 1)"))

    def test_a_syntax_error_shows_the_previous_steps_logs(self):
        # The reference parses before it empties its print buffer.
        self.sb.run('print("hello")')
        self.assertEqual(self.sb.run('x = (')['logs'], 'hello\n')
        self.sb.run('y = 1')
        self.assertEqual(self.sb.run('x = (')['logs'], '')


class Names(Case):
    def test_a_misspelt_variable_resolves_to_the_closest_one(self):
        r = self.sb.run('numbers = [1, 2, 3]\nprint(nubers)')
        self.assertEqual((r['status'], r['logs']), ('ok', '[1, 2, 3]\n'))
        self.out('numbr = 5', '5')
        self.out('numbrr + 1', '6')

    def test_functions_are_not_candidates_and_calls_are_not_resolved(self):
        self.sb.run('def helper():\n    return 1\nvalue = 2')
        self.err('helpr()', failed('helpr()', (
            'InterpreterError: It is not permitted to evaluate other functions than the provided '
            'tools or functions defined/imported in previous code (tried to execute helpr).')))

    def test_inside_a_function_body(self):
        self.out('total = 5\ndef h():\n    return totl\nh()', '5')
        self.out('def f(x):\n    return xx\nf(3)', '3')

    def test_a_function_body_from_an_earlier_step_calling_a_missing_function(self):
        self.sb.run('def g():\n    return helperfn(2)')
        self.err('g()', failed('g()', (
            'InterpreterError: It is not permitted to evaluate other functions than the provided '
            'tools or functions defined/imported in previous code (tried to execute helperfn).')))

    def test_a_name_the_code_catches_as_missing_is_still_an_error(self):
        self.err('try:\n    nothing_like_it\nexcept NameError:\n    pass', failed(
            'try:\n    nothing_like_it\nexcept NameError:\n    pass',
            'InterpreterError: The variable `nothing_like_it` is not defined.'))


class RealPythonKeepsRunning(Case):
    """Code the reference refuses, run as Python runs it (docs/protocol.md, "Deliberate
    differences")."""

    def test_nested_loops_and_comprehensions(self):
        self.out('r = []\nfor i in range(3):\n    for j in range(3):\n        r.append(i * j)\nr',
                 '[0, 0, 0, 0, 1, 2, 0, 2, 4]')
        self.out('[[i * j for j in range(2)] for i in range(2)]', '[[0, 0], [0, 1]]')

    def test_annotated_assignment_and_starred_unpacking(self):
        self.out('c: int = 7', '7')
        self.out('a, *rest = [1, 2, 3]\nrest', '[2, 3]')

    def test_continue_skips_to_the_next_iteration(self):
        r = self.sb.run('for i in range(3):\n    if i == 1:\n        continue\n    print(i)')
        self.assertEqual(r['logs'], '0\n2\n')

    def test_boolean_operators_keep_their_operand(self):
        # The reference's `or`/`and` return True/False.
        self.out('x = None or 5', '5')
        self.out('lst = [1]\nlst += (2,)', '[1, 2]')

    def test_class_bodies_and_builtins_the_reference_lacks(self):
        self.out('class P:\n    """doc"""\n    x = 1\nP.x', '1')
        self.out("repr('a')", "'a'")


if __name__ == '__main__':
    unittest.main()
