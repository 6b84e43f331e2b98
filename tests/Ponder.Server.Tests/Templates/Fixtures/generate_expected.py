# Regenerates *.expected.txt with real Jinja2, configured as Hugging Face transformers renders chat
# templates (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, tojson without
# ASCII escaping). Run: python3 generate_expected.py  (Jinja2 3.1.x)
import json, glob, os
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.exceptions import TemplateError

def raise_exception(msg): raise TemplateError(msg)
def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.loopcontrols"])
env.filters["tojson"] = tojson
env.globals["raise_exception"] = raise_exception
here = os.path.dirname(os.path.abspath(__file__))
cases = json.load(open(os.path.join(here, "cases.json")))
for path in sorted(glob.glob(os.path.join(here, "*.jinja"))):
    name = os.path.basename(path)[:-len(".jinja")]
    tpl = env.from_string(open(path).read())
    for case, c in cases.items():
        out = os.path.join(here, f"{name}.{case}.expected.txt")
        try:
            text = tpl.render(messages=c["messages"], tools=c.get("tools"), add_generation_prompt=c["add_generation_prompt"],
                              bos_token="<s>", eos_token="</s>", date_string="26 Jul 2024")
        except Exception as e:
            text = "!raise: " + str(e)
        open(out, "w").write(text)
        print(out, len(text))
