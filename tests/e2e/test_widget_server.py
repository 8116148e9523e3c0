"""The Rasa server serves the widget, its strings and its demo page under /widget."""

from __future__ import annotations

import requests

from bot.rasa_server.widget.strings import widget_strings


def get(assistant, path: str, **kwargs) -> requests.Response:
    return requests.get(f"{assistant.url}/widget/{path}", timeout=30, **kwargs)


def test_widget_script_is_one_bundle(assistant):
    response = get(assistant, "widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert "Socket.IO v4.8.4" in response.text and "function replyTextNodes" in response.text and "function startWidget" in response.text
    assert response.headers["content-encoding"] == "gzip"  # requests asks for it, and unpacks it
    assert int(response.headers["content-length"]) < 30_000 < len(response.content)  # the budget of docs/widget.md#size
    again = get(assistant, "widget.js", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_strings_in_a_language(assistant):
    response = get(assistant, "strings/uk.json")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    body = response.json()
    assert body == {"lang": "uk", "direction": "ltr", "strings": widget_strings("uk")}
    assert body["strings"]["open"] == "Відкрити чат"


def test_unknown_language_is_a_clear_404(assistant):
    for lang in ("xx", "ukr", "UK", "..%2F..%2Fcredentials"):
        response = get(assistant, f"strings/{lang}.json")
        assert response.status_code == 404, lang
    assert "uk" in get(assistant, "strings/xx.json").json()["languages"]


def test_language_list(assistant):
    body = get(assistant, "languages.json").json()
    assert body["default"] == "en"
    listed = [(entry["code"], entry["direction"]) for entry in body["languages"]]
    assert listed[:4] == [("en", "ltr"), ("lv", "ltr"), ("ru", "ltr"), ("uk", "ltr")]
    assert body["languages"][3]["name"] == "Українська"


def test_demo_page_has_a_strict_policy(assistant):
    response = get(assistant, "demo.html")
    assert response.status_code == 200
    assert '<script src="widget.js"' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]


def test_nothing_else_is_served(assistant):
    for path in ("../credentials.yml", "%2e%2e/credentials.yml", "widget.py", "vendor/socket.io.min.js", "nope.html"):
        assert get(assistant, path).status_code == 404, path
