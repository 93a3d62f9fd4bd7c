"""What the browser tests ask of every page on a phone."""


def fits_the_screen(page) -> bool:
    """The page is no wider than the screen, asked once the page a click led to has loaded:
    asked in the middle of that navigation, the document may not exist yet."""
    page.wait_for_load_state()
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
