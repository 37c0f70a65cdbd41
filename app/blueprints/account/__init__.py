from app.blueprints.account.routes import bp  # noqa: F401
from app.blueprints.account import notifications  # noqa: F401,E402  (its views on bp)
from app.blueprints.account import privacy  # noqa: F401,E402  (its views on bp)
from app.blueprints.account import drafts  # noqa: F401,E402  (its views on bp)
