# Writes snippets.expected.json: [{template, expected}] rendered by real Jinja2 with HF's settings.
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from generate_expected import env
from snippets import SNIPPETS
messages = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}, {"role": "user", "content": "Bye"}]
out = [{"template": s, "expected": env.from_string(s).render(messages=messages)} for s in SNIPPETS]
json.dump(out, open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "snippets.expected.json"), "w"), ensure_ascii=False, indent=1)
for o in out: print(repr(o["expected"]))
