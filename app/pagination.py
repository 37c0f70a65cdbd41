"""Reading the page number and ids from the query string, the same way on every page."""
from flask import request
from flask_sqlalchemy.pagination import Pagination

from app.validators import MAX_ID

MAX_PAGE = 10_000  # beyond this an OFFSET only costs the database; nobody pages that far


def page_arg(name="pagina"):
    """The requested page: 1 for anything missing, malformed, below 1 or absurdly large."""
    page = request.args.get(name, 1, type=int)
    if page is None or page < 1 or page > MAX_PAGE:
        return 1
    return page


def id_arg(name):
    """An id from the query string (?citeer=12): None for anything missing, malformed or outside
    the database's range, so a crafted number is "not found", never an overflow."""
    value = request.args.get(name, type=int)
    if value is None or not 0 < value <= MAX_ID:
        return None
    return value


class FetchedPagination(Pagination):
    """A page like db.paginate's (the same pager macro works) for rows one query cannot select
    as objects, such as a UNION of two tables: `fetch(page, per_page)` returns the page's items,
    `total()` the number of them all. Build it as FetchedPagination(page=…, per_page=…,
    error_out=False, fetch=…, total=…)."""

    def _query_items(self):
        return list(self._query_args["fetch"](self.page, self.per_page))

    def _query_count(self):
        return self._query_args["total"]()
