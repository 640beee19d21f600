"""The executor's observations under CPython (docs/protocol.md, "Observations")."""
import unittest

from sandbox_harness import Sandbox


class LastValue(unittest.TestCase):
    def setUp(self):
        self.sb = Sandbox()

    def test_expression_and_assignment(self):
        self.assertEqual(self.sb.output('1 + 1'), '2')
        self.assertEqual(self.sb.output('x = 5'), '5')
        self.assertEqual(self.sb.output('x += 2'), '7')

    def test_print_goes_to_logs(self):
        r = self.sb.run('print("a", 1)\nprint("b")')
        self.assertEqual(r['logs'], 'a 1\nb\n')
        self.assertEqual(r['output'], 'None')

    def test_final_answer(self):
        r = self.sb.run('final_answer(42)')
        self.assertEqual(r['status'], 'final')
        self.assertEqual(r['finalAnswer'], {'text': '42', 'type': 'int'})

    def test_state_persists(self):
        self.sb.run('y = [1, 2]')
        self.assertEqual(self.sb.output('y.append(3)\ny'), '[1, 2, 3]')

    def test_tool_call(self):
        self.assertEqual(self.sb.output('web_search("cats")'), 'passages for cats')
        self.assertEqual(self.sb.calls, [('web_search', {'query': 'cats'})])


class Errors(unittest.TestCase):
    def setUp(self):
        self.sb = Sandbox()

    def test_undefined_variable(self):
        self.assertEqual(self.sb.error('undefined_thing_xyz + 1'),
                         "Code execution failed at line 'undefined_thing_xyz + 1' due to: "
                         "InterpreterError: The variable `undefined_thing_xyz` is not defined.")

    def test_syntax_error(self):
        self.assertTrue(self.sb.error('x = (').startswith('Code parsing failed on line 1 due to: '))


if __name__ == '__main__':
    unittest.main()
