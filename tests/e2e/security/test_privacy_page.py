"""``GET /widget/privacy?lang=<lang>``: the privacy notice as a page, in the user's language, as text."""

from __future__ import annotations

import html

import pytest
import requests

from bot.core.privacy.notice import privacy_notice


@pytest.mark.parametrize("lang", ["en", "lv", "ru", "uk"])
def test_the_privacy_page_shows_the_notice_in_the_language(assistant, lang):
    response = requests.get(f"{assistant.url}/widget/privacy", params={"lang": lang}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    page = response.text
    assert f'<html lang="{lang}" dir="ltr">' in page
    title, *paragraphs = privacy_notice(lang)
    assert f"<h1>{html.escape(title)}</h1>" in page and f"<title>{html.escape(title)}</title>" in page
    for paragraph in paragraphs:
        assert f"<p>{html.escape(paragraph)}</p>" in page
    assert "<script" not in page


@pytest.mark.parametrize("lang", ["", "xx", "<script>", "../uk"])
def test_an_unknown_language_gets_the_default_one(assistant, lang):
    response = requests.get(f"{assistant.url}/widget/privacy", params={"lang": lang}, timeout=30)
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.text
    assert "<script>" not in response.text
