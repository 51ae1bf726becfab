"""The Jinja corpus: (environment, template, context) cases rendered by jinja2 itself into cases.json.

Run with a Python that has jinja2 (3.1):  python corpus.py > cases.json
Environments: "default" (Environment()), "transformers" (transformers' chat-template environment),
"lmeval" (lm-eval's: StrictUndefined, keep_trailing_newline, regex_replace).
"""
import json
import re
import sys

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


def transformers_env():
    try:  # the real one when transformers is installed (it adds the {% generation %} tag)
        from transformers.utils.chat_template_utils import _compile_jinja_template

        return _compile_jinja_template("x").environment
    except ImportError:
        pass

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env


def lmeval_env():
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["regex_replace"] = lambda string, pattern, repl, count=0: re.sub(pattern, repl, string, count=count)
    return env


ENVS = {"default": jinja2.Environment(extensions=[loopcontrols]), "transformers": transformers_env(), "lmeval": lmeval_env()}

MSGS = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi <b>there</b> & 'you'"},
        {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nHello!"}, {"role": "user", "content": "2+2?"}]
DOC = {"question": "What is 2+2?", "choices": {"text": ["3", "4", "5"], "label": ["A", "B", "C"]}, "answerKey": "B",
       "answer": "Two plus two.\n#### 4", "label": 1, "ctx": "A man sits", "endings": ["a", "b"], "n": 3, "x": 2.5,
       "flag": True, "none": None, "nested": {"a": [1, {"b": "c"}]}, "text": "  Hello World  ", "uni": "héllo wörld ☃ 😀"}

T = []


def case(template, env="default", **ctx):
    T.append((env, template, ctx or {"d": DOC, "messages": MSGS}))


# literals, printing, Python reprs
for expr in ["1", "-3", "1.5", "1.0", "1e20", "1e-5", "0.1 + 0.2", "1/3", "2**62", "10/4", "7//2", "-7//2", "-7 % 3",
             "7 % -3", "7.5 % 2", "2 ** 0.5", "true", "True", "none", "None", "'a' ~ 1 ~ none", "[1, 'a', none, true, 1.5]",
             "(1,)", "(1, 'b')", "()", "{'a': 1, 'b': [2]}", "'it\\'s'", "\"say \\\"hi\\\"\"", "'tab\\there'",
             "['it\\'s', \"x\\\"y\"]", "'\\u00e9\\x41\\n'", "1 < 2 < 3", "3 > 2 > 2", "1 == 1.0", "true == 1", "'a' < 'b'",
             "[1, 2] < [1, 3]", "'ab' in 'cabd'", "2 in [1, 2]", "'k' in {'k': 1}", "3 not in [1]", "not 1", "not ''",
             "1 and 2", "0 and 2", "0 or 'x'", "'' or none", "'%s is %d' % ('x', 3)", "'%5.2f|%-4s|%03d' % (3.14159, 'a', 7)",
             "'%s' % none", "'%r' % 'q'", "'{} and {}'.format(1, 'b')", "'{0:>5}|{1:.2f}'.format('x', 2.5)",
             "'x' * 3", "[1] * 2", "[1] + [2]", "-(2)", "+3", "10 - 2 - 3", "2 * 3 + 4", "2 + 3 * 4", "(2 + 3) * 4",
             "-2 ** 2", "2 ** 3 ** 2", "'abc'[1]", "'abc'[-1]", "'abcdef'[1:4]", "'abcdef'[::-1]", "'abcdef'[::2]",
             "'abcdef'[-2:]", "'abcdef'[:-2]", "[1,2,3,4][1::2]", "[1,2,3][::-1]", "'😀ab'[1:]", "'😀ab'|length",
             "range(3)|list", "range(1, 10, 3)|list", "range(5, 0, -2)|list", "dict(a=1, b=2)", "1 if true else 2",
             "1 if false", "'x' if none else 'y'", "[1,2,3][5] is defined", "{'a':1}.b is defined", "none is none",
             "1 is number", "'a' is string", "[1] is sequence", "{} is mapping", "3 is odd", "4 is even", "9 is divisibleby 3",
             "'ab' is lower", "1 is integer", "1.0 is float", "true is boolean", "false is false", "x is undefined",
             "1 is sameas 1", "2 is in [1, 2]", "3 is gt 2", "3 is ge 3", "2 is lt 1", "'a' is eq 'a'", "1 is ne 2",
             "'upper' is filter", "'odd' is test", "'A' is upper"]:
    case("{{ " + expr + " }}")

# strings: Python methods
for expr in ["'  a b  '.strip()", "'xxaxx'.strip('x')", "'\\n\\nab\\n'.lstrip('\\n')", "'ab\\n\\n'.rstrip('\\n')",
             "'a</think>'.split('</think>')", "'a</think>b</think>c'.split('</think>')[-1]", "'a,b,,c'.split(',')",
             "'  a  b c '.split()", "'a b c'.split(none, 1)", "'a,b,c'.split(',', 1)", "'a,b,c'.rsplit(',', 1)",
             "' a b c '.rsplit(none, 1)", "'hello'.startswith('he')", "'hello'.endswith(('x', 'lo'))",
             "'hello'.replace('l', 'L')", "'hello'.replace('l', 'L', 1)", "'hello world'.title()", "'hELLO'.capitalize()",
             "'Hello'.upper()", "'Hello'.lower()", "'hello'.find('l')", "'hello'.rfind('l')", "'hello'.find('z')",
             "'hello'.count('l')", "'-'.join(['a', 'b'])", "'a\\nb\\r\\nc'.splitlines()", "'12'.isdigit()", "'ab'.isalpha()",
             "'  '.isspace()", "'5'.zfill(3)", "'ab'.ljust(4) ~ '|'", "'ab'.rjust(4, '*')", "'ab'.center(6) ~ '|'",
             "'Hello'.swapcase()", "'hello world'.index('o')"]:
    case("{{ " + expr + " }}")

# filters
for expr in ["d.text|trim", "d.text|trim('  H')", "d.question|upper", "d.question|lower", "d.question|length",
             "d.uni|length", "d.uni|upper", "d.choices.text|join(', ')", "d.choices.text|first", "d.choices.text|last",
             "d.choices.text|reverse|list", "'abc'|reverse", "[3, 1, 2]|sort", "[3, 1, 2]|sort(reverse=true)",
             "['b', 'A', 'c']|sort", "['b', 'A', 'c']|sort(case_sensitive=true)", "[1, 2, 2, 3]|unique|list",
             "['a', 'A', 'b']|unique|list", "[1, 2, 3]|sum", "[1.5, 2]|sum", "[1, 5, 3]|max", "[1, 5, 3]|min",
             "'hello world'|title", "'hello-world (foo)'|title", "'hello'|capitalize", "'hello'|center(11) ~ '|'",
             "'a b c'|wordcount", "'x'|default('y')", "undefined_var|default('y')", "''|default('y', true)",
             "none|default('z')", "d.n|string ~ 1", "'12'|int + 1", "'1.7'|int", "'x'|int", "'x'|int(5)", "'1.5'|float",
             "3|float", "2.567|round", "2.567|round(2)", "2.5|round", "3.5|round", "-2.5|round", "2.1|round(0, 'ceil')",
             "-3|abs", "'<a href=\"x\">&</a>'|e", "'<b>x</b> y'|striptags", "'hello world foo bar baz qux'|truncate(12)",
             "'a b'|replace(' ', '_')", "'%s-%s'|format('a', 'b')", "{'b': 1, 'a': 2}|dictsort", "{'b': 1, 'a': 2}|items|list",
             "d.nested|tojson", "{'z': 1, 'a': '<é>'}|tojson", "[1, 'x', none, true, 1.5]|tojson", "d|length",
             "'abc'|list", "messages|map(attribute='role')|list", "messages|selectattr('role', 'equalto', 'user')|list|length",
             "messages|rejectattr('role', 'eq', 'user')|map(attribute='content')|join('|')", "[0, 1, '', 'a']|select|list",
             "[1, 2, 3, 4]|select('odd')|list", "[1, 2, 3, 4]|reject('even')|list", "['1', '2']|map('int')|sum",
             "messages|selectattr('role')|list|length", "[1, 2, 3, 4, 5]|batch(2)|list",
             "'line1\\nline2\\n\\nline3'|indent", "'line1\\nline2'|indent(2, true)", "'a\\n\\nb'|indent(2, blank=true)",
             "messages[0]|attr('role')", "d.choices.text|count", "[1, [2]]|pprint"]:
    case("{{ " + expr + " }}")

# transformers' tojson
for expr in ["{'z': 1, 'a': 'é<'}|tojson", "d.nested|tojson(indent=2)", "[1, {'b': [true, none]}]|tojson(indent=4)",
             "{}|tojson", "[]|tojson(indent=2)", "{'a': 'x'}|tojson(separators=(',', ':'))", "1.0|tojson", "'\\u2028\\t'|tojson"]:
    case("{{ " + expr + " }}", env="transformers")

# statements and whitespace control
for env in ["default", "transformers"]:
    case("{% for m in messages %}{{ loop.index }}:{{ m.role }}{% if not loop.last %}, {% endif %}{% endfor %}", env)
    case("{% for m in messages %}\n  {{ m.role }}\n{% endfor %}\n", env)
    case("  {% if true %}\n    x\n  {% endif %}\n  y\n", env)
    case("{%- for m in messages -%}\n   {{- m.role -}}   \n{%- endfor -%}\n", env)
    case("a  {#- comment -#}  b {# c #}\nc\n", env)
    case("{% for x in [] %}x{% else %}empty{% endfor %}", env)
    case("{% for x in [1, 2, 3, 4] if x is even %}{{ x }}/{{ loop.length }}{% endfor %}", env)
    case("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}", env)
    case("{% for x in [1, 2, 3, 4, 5] %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 4 %}{% break %}{% endif %}{{ x }}{% endfor %}", env)
    case("{% for x in 'ab' %}{{ loop.index0 }}{{ x }}{{ loop.revindex }}{{ loop.first }}{{ loop.previtem is defined }}{% endfor %}", env)
    case("{% for x in [1, 2, 3] %}{{ loop.cycle('a', 'b') }}{{ loop.nextitem|default('-') }}{% endfor %}", env)
    case("{% set x = 1 %}{% for i in [1, 2] %}{% set x = x + i %}{{ x }}{% endfor %}{{ x }}", env)
    case("{% set ns = namespace(n=0, found=false) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}{{ ns.found }}", env)
    case("{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set t = 1, 2 %}{{ t }}", env)
    case("{% set body %}  inner {{ 1 + 1 }}  {% endset %}[{{ body }}]", env)
    case("{% set body | upper | trim %}  inner  {% endset %}[{{ body }}]", env)
    case("{% filter upper %}hello {{ 'x' }}{% endfilter %}", env)
    case("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('a') }} {{ greet('b', '?') }} {{ greet(name='c') }}", env)
    case("{% macro outer() %}[{{ caller() }}]{% endmacro %}{% call outer() %}inside{% endcall %}", env)
    case("{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a is defined }}", env)
    case("{% raw %}{{ not rendered }}{% endraw %}", env)
    case("{% if messages[0]['role'] == 'system' %}{% set sys = messages[0]['content'] %}{% set rest = messages[1:] %}{% else %}{% set sys = '' %}{% set rest = messages %}{% endif %}{{ sys }}|{{ rest|length }}", env)
    case("{{ messages[0].content if messages[0].role == 'system' else 'none' }}\n{{- '\\n' -}}\n{{ (messages|last).content }}", env)
    case("{% for message in messages[::-1] %}{{ message.role[0] }}{% endfor %}", env)
    case("line1\n{% if true -%}\n   a\n{%- endif %}\nline2\n\n", env)
    case("{% if true %}  a  {%+ if true %}b{% endif +%}\n  c\n{% endif %}", env)
    case("\r\nx\r\n{% if true %}\r\ny\r\n{% endif %}\r\n", env)
    case("{{ 'a' }}\n{{ 'b' }}\n", env)
    case("{% for m in messages %}{{ m.content.split('</think>')[-1].lstrip('\\n') }}|{% endfor %}", env)
    case("{{ messages|length - 1 }}{{ (messages|length - 1) - 1 }}{{ -1 + messages|length }}", env)
    case("{{ d['choices']['text'][d.label] }}{{ d.choices.label.index(d.answerKey) }}", env)
    case("{{ d.nested.a.1.b }}{{ d.nested['a'][0] }}", env)
    case("{{ d.missing }}|{{ d.missing is defined }}|{{ d.none is none }}|{{ d.get('question') }}|{{ d.get('zz', 3) }}", env)
    case("{% set x = [1] %}{{ x + [2] }}{{ x|length }}", env)
    case("{{ {'content': 'c', 'items': 'i'}.items() | list }}", env)
    case("{% for k in {'b': 1, 'a': 2} %}{{ k }}{% endfor %}", env)
    case("{{ none }}{{ true }}{{ 1.50 }}{{ [none] }}", env)

# transformers-only: raise_exception and the generation tag
case("{% if messages[0].role == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}x", "transformers")
case("{% for m in messages %}{% generation %}{{ m.content }}{% endgeneration %}{% endfor %}", "transformers")

# lm-eval style templates (StrictUndefined, trailing newline kept)
for tpl in ["Question: {{question}}\nAnswer:", "{{question}}\n{% for c in choices.text %}{{ choices.label[loop.index0] }}. {{ c }}\n{% endfor %}Answer:",
            "{{choices.label.index(answerKey)}}", "{{answer.split('####')[-1].strip()}}", "{{ctx}} {{endings[label]}}\n",
            "{{ question | regex_replace('[0-9]', '#') }}", "{{ question | regex_replace('(\\\\w+) (\\\\w+)', '\\\\2 \\\\1', 1) }}",
            "{{ missing_key }}", "{{ question if missing_key is defined else 'no' }}", "{{ 'x' ~ label }}", "{{ x * 2 }}",
            "{{ flag }}|{{ none }}", "{{ [question, ctx] }}", "{{ missing.attr }}", "{% for e in endings %}{{ e }}{% endfor %}\n\n"]:
    T.append(("lmeval", tpl, DOC))

# errors (both must fail)
for env, tpl in [("default", "{{ 1 + 'a' }}"), ("default", "{{ undefined_var.attr }}"), ("default", "{% if %}"),
                 ("default", "{{ 'a' < 1 }}"), ("default", "{% for %}"), ("default", "{{ [1][0:1:0] }}"),
                 ("lmeval", "{{ nope }}"), ("default", "{% endfor %}"), ("default", "{{ 1 / 0 }}"),
                 ("transformers", "{{ raise_exception('bad input') }}")]:
    T.append((env, tpl, {"d": DOC, "messages": MSGS}))

out = []
for env, tpl, ctx in T:
    try:
        r = {"env": env, "template": tpl, "context": ctx, "expected": ENVS[env].from_string(tpl).render(**ctx)}
    except Exception as e:  # noqa: BLE001
        r = {"env": env, "template": tpl, "context": ctx, "error": type(e).__name__ + ": " + str(e)}
    out.append(r)
json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
sys.stdout.write("\n")
