"""Building discussion groups, threads and the people in them, for the forum tests."""
import re
from datetime import timedelta

from app.extensions import db
from app.forum import services
from app.models.forum import ForumGroup, Post, Thread
from app.models.labs import PartnerOrganisation
from app.models.notifications import Notification
from app.slugs import thread_slug
from app.timeutil import utcnow
from tests.collective_helpers import make_collective, quick_user


def text(response):
    return response.get_data(as_text=True)


def make_group(name="Energie", slug=None, position=0, description="Over energiecoöperaties."):
    group = ForumGroup(name=name, slug=slug or name.lower().replace(" ", "-"), position=position,
                       description=description)
    db.session.add(group)
    db.session.commit()
    return group


class Cast:
    """The people of a forum test: one of each role."""

    def __init__(self):
        self.collective = make_collective("Energiecoöperatie De Windvang")
        self.member = quick_user("lid@example.org", collective=self.collective, name="Anna de Vries")
        self.member2 = quick_user("lid2@example.org", collective=self.collective, name="Bert Jansen")
        self.organisation = PartnerOrganisation(name="Groenfonds Nederland", kind="financier")
        db.session.add(self.organisation)
        db.session.commit()
        self.partner = quick_user("partner@example.org", role="partner", name="Petra Partner")
        self.partner.partner_organisation_id = self.organisation.id
        db.session.commit()
        self.moderator = quick_user("mod@example.org", role="moderator", name="Mo Derator")
        self.outsider = quick_user("los@example.org", name="Olga Los")  # registered, no collective


def start_thread(group, author, title="Hoe vinden we nieuwe vrijwilligers?", body="Wie heeft tips?",
                 now=None):
    thread, post = services.create_thread(author, group, title, body, now=now,
                                          enforce_limits=False)
    db.session.commit()
    return thread, post


def add_replies(thread, authors, count, start=None, body="Reactie {n}"):
    """`count` replies, by `authors` in turn, a minute apart (no posting limits)."""
    start = start or utcnow() - timedelta(days=1)
    posts = []
    for index in range(count):
        author = authors[index % len(authors)]
        posts.append(services.post_reply(author, thread, body.format(n=index + 2),
                                         now=start + timedelta(minutes=index), enforce_limits=False))
    db.session.commit()
    return posts


def thread_path(thread):
    return f"/forum/{thread.group.slug}/{thread.id}-{thread_slug(thread.title)}"


def notifications(user=None, kind=None):
    db.session.expire_all()
    query = db.select(Notification).order_by(Notification.id)
    if user is not None:
        query = query.where(Notification.user_id == user.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return db.session.execute(query).scalars().all()


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def posts_of(thread):
    db.session.expire_all()
    return db.session.execute(
        db.select(Post).where(Post.thread_id == thread.id).order_by(Post.number)
    ).scalars().all()


def threads():
    db.session.expire_all()
    return db.session.execute(db.select(Thread).order_by(Thread.id)).scalars().all()


def post_numbers_on(page):
    """The post numbers shown on a thread page, in order."""
    return [int(n) for n in re.findall(r'id="bericht-(\d+)"', page)]
