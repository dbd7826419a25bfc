"""Whether a page fits a phone's screen: nothing wider than the viewport, and if something is, which element."""

from __future__ import annotations

from playwright.sync_api import Page

# The elements whose right edge passes the viewport (hidden ones and those inside a scrolling box are skipped:
# the box itself is what shows), each as tag#id.class "start of its text" and its right edge.
_OVERFLOWING = """(width) => Array.from(document.querySelectorAll('body *'))
  .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > width + 1)
  .filter((el) => !el.parentElement.closest('[style*=overflow], .table-scroll, pre'))
  .slice(0, 8)
  .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string'
    ? '.' + el.className.trim().split(/\\s+/).join('.') : ''} "${(el.textContent || '').trim().slice(0, 40)}"`
    + ` right=${Math.round(el.getBoundingClientRect().right)}`)"""


def assert_fits(page: Page, width: int = 390) -> None:
    """No sideways scrolling at ``width``: measured once the page and its stylesheets have loaded (a layout forced
    before then is the unstyled page's), naming what sticks out when something does."""
    page.wait_for_load_state("load")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"{page.url} is {scroll} px wide at {width}: {page.evaluate(_OVERFLOWING, width)}"
