"""seed-demo's made-up team on /over-ons, and the FAQ's link to "Wetenschappelijke kennis uitgelegd"."""
import re

import pytest

from app.demo import seed_demo
from app.demo.team import TEAM
from app.extensions import db
from tests.support import text

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("fast_hashing")]  # seeds the demo


def test_the_demo_fills_the_team_and_the_faq_link_resolves(client):
    made = seed_demo()
    db.session.commit()
    assert made["team members"] == len(TEAM)

    about = text(client.get("/over-ons"))
    team = about[about.index('id="team"'):]
    assert re.findall(r"<h3>([^<]+)</h3>", team) == [name for name, _, _ in TEAM]

    faq = text(client.get("/veelgestelde-vragen"))
    answer = faq[faq.index('id="wetenschappelijke-kennis"'):]
    href = re.search(r'<a href="([^"]+)">Wetenschappelijke kennis uitgelegd</a>', answer).group(1)
    assert href == "/kennisbank/wetenschappelijke-kennis-uitgelegd"
    item = client.get(href)
    assert item.status_code == 200 and "Wetenschappelijke kennis uitgelegd" in text(item)
