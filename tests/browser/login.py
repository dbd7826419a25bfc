"""Signing in to the demo hub in a browser, as a person does: the sign-in form, the demo password."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page

from hub.demo import DEMO_PASSWORD


def signed_in_page(context: BrowserContext, hub_server, login: str, lang: str) -> Page:
    """A new page in ``context`` (its own cookies) reading the hub in ``lang``, signed in as ``login``."""
    context.add_cookies([{"name": "lang", "value": lang, "url": hub_server.url}])
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(hub_server.url + "/login")
    page.fill("#login", login)
    page.fill("#password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("domcontentloaded")
    return page
