"""Reading the page number from the query string, the same way on every list page."""
from flask import request

MAX_PAGE = 10_000  # beyond this an OFFSET only costs the database; nobody pages that far


def page_arg(name="pagina"):
    """The requested page: 1 for anything missing, malformed, below 1 or absurdly large."""
    page = request.args.get(name, 1, type=int)
    if page is None or page < 1 or page > MAX_PAGE:
        return 1
    return page
