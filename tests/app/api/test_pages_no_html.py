"""Nothing a user types becomes HTML: the page's scripts never parse strings as markup, and the template
escapes whatever it is given."""

import re

from app.api.pages import STATIC, templates

# every DOM door that parses a string as HTML (or script)
HTML_SINKS = re.compile(
    r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write|createContextualFragment|"
    r"DOMParser|\.srcdoc\s*=|\beval\s*\(|new\s+Function\s*\(|setTimeout\s*\(\s*[\"'`]"
)


def test_no_script_puts_strings_into_the_page_as_html() -> None:
    scripts = sorted(STATIC.rglob("*.js"))
    assert {p.name for p in scripts} >= {"main.js", "state.js", "controls.js", "boundary.js"}  # found them
    offenders = [
        f"{path.relative_to(STATIC)}:{n}: {line.strip()}"
        for path in scripts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if HTML_SINKS.search(line)
    ]
    assert offenders == [], "use textContent and createElement, never HTML strings:\n" + "\n".join(offenders)


def test_the_sink_pattern_catches_what_it_must() -> None:
    for line in (
        "el.innerHTML = name;",
        "x.outerHTML += y",
        'n.insertAdjacentHTML("beforeend", s)',
        "document.write(s)",
    ):
        assert HTML_SINKS.search(line), line
    assert not HTML_SINKS.search("label.textContent = name;")


def test_the_template_escapes_what_it_renders() -> None:
    assert templates.env.autoescape("index.html") is True
    payload = '<img src=x onerror="window.pwned=1">'
    rendered = templates.env.from_string("<p>{{ text }}</p><script>{{ data | tojson }}</script>").render(
        text=payload, data={"name": payload}
    )
    assert "<img" not in rendered
    assert "&lt;img" in rendered and "\\u003cimg" in rendered
