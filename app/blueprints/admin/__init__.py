from app.blueprints.admin.routes import bp  # noqa: F401
from app.blueprints.admin import groups, members, partners, reports, selfscans  # noqa: F401,E402  (views on the same bp)
from app.blueprints.admin import labs  # noqa: F401,E402  (lab questions without an answer)
from app.blueprints.admin import knowledge, research  # noqa: F401,E402  (knowledge base, research export)
from app.blueprints.admin import team  # noqa: F401,E402  (the team on /over-ons)
