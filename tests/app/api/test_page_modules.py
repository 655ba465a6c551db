"""The page's modules keep to their rooms (issue 10): state.js and what it imports touch neither the DOM nor the
network, every fetch and socket is net.js's, runs.js decides without drawing, main.js only wires; every view the
page registers has its stable data-view hook in the template; and the template keeps to what a strict
Content-Security-Policy allows (no inline script but the JSON boot data, no inline handlers, no inline styles)."""

import re
from pathlib import Path

from app.api.pages import STATIC, TEMPLATES

IMPORT = re.compile(r"""^\s*import\s[^;]*?from\s+["'](\.{1,2}/[^"']+)["']""", re.MULTILINE | re.DOTALL)
# what touches the page or the network, as a word in code
DOM_OR_NETWORK = re.compile(
    r"(?<![.\w$])(document|window|globalThis|location|history|navigator|localStorage|sessionStorage|fetch|WebSocket|"
    r"XMLHttpRequest|EventSource|requestAnimationFrame|IntersectionObserver|ResizeObserver|Plotly|HTMLElement|"
    r"Element|OffscreenCanvas|matchMedia)\b(?!\s*:)"  # not a property's name: message.history, {history: 1}
)
NETWORK = re.compile(r"\bfetch\s*\(|\bnew\s+WebSocket\b|\bXMLHttpRequest\b|\bEventSource\b")


def code(path: Path) -> str:
    """The module's code without comments and string literals (their words are not calls)."""
    text = path.read_text()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    text = re.sub(r"`(?:\\.|[^`\\])*`", '""', text, flags=re.DOTALL)
    text = re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)
    text = re.sub(r"'(?:\\.|[^'\\\n])*'", "''", text)
    return re.sub(r"//[^\n]*", "", text)


def imports(path: Path) -> set[Path]:
    return {(path.parent / target).resolve() for target in IMPORT.findall(path.read_text())}


def reachable(start: Path) -> set[Path]:
    seen, todo = set(), [start.resolve()]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(imports(module))
    return seen


def test_the_pattern_finds_what_it_must():
    assert DOM_OR_NETWORK.search("document.getElementById('x')") and DOM_OR_NETWORK.search("await fetch(url)")
    assert not DOM_OR_NETWORK.search(
        "const documented = 1; state.windows = []; message.history.push(1); ({history: 1});"
    )
    assert (STATIC / "state.js").resolve() in imports(STATIC / "main.js")
    assert "document" not in code(STATIC / "state.js")  # its comments may say "DOM"; its code does not


def test_state_imports_only_pure_modules():
    modules = reachable(STATIC / "state.js")
    assert (STATIC / "links.js").resolve() in modules  # it has imports: the check follows them
    offenders = {
        str(module.relative_to(STATIC.resolve())): sorted(set(DOM_OR_NETWORK.findall(code(module))))
        for module in modules
    }
    assert {name: words for name, words in offenders.items() if words} == {}


def test_every_fetch_and_socket_is_net_js():
    users = sorted(str(p.relative_to(STATIC)) for p in STATIC.rglob("*.js") if NETWORK.search(code(p)))
    assert users == ["net.js"]


def test_runs_decide_without_drawing_and_main_only_wires():
    assert DOM_OR_NETWORK.findall(code(STATIC / "runs.js")) == []
    main = code(STATIC / "main.js")
    for drawing in (
        "Plotly",
        "getContext",
        "textContent =",
        "innerText",
        ".style.",
        "createElement",
        "replaceChildren",
    ):
        assert drawing not in main, drawing
    assert len(re.findall(r"\bfunction\b", main)) <= 1  # onChange: which field change needs which request


def test_every_registered_view_has_its_hook_in_the_template():
    template = (TEMPLATES / "index.html").read_text()
    hooks = set(re.findall(r'data-view="([\w-]+)"', template))
    registered = set(re.findall(r'view\("([\w-]+)"\)', (STATIC / "main.js").read_text()))
    assert {"boundary", "cost", "network", "table"} <= registered <= hooks


def test_the_template_keeps_to_a_strict_content_security_policy():
    template = (TEMPLATES / "index.html").read_text()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", template, flags=re.DOTALL)
    inline = [attributes for attributes, body in scripts if body.strip()]
    assert inline == [' id="boot" type="application/json"'], inline
    assert not re.search(r"\son[a-z]+\s*=", template), "an inline event handler"
    assert not re.search(r"\sstyle\s*=", template), "an inline style attribute"
    assert not any(re.search(r"\beval\s*\(|new\s+Function\s*\(", code(p)) for p in STATIC.rglob("*.js"))
