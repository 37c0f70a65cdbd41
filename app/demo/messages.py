"""Demo private messages: three conversations between demo accounts, written through the services
(so memberships, read markers and notifications are what the site makes). lid@example.org finds
one unread; the notifications are read and never e-mailed, as the other demo notifications are.
"""
from datetime import timedelta

from sqlalchemy import update

from app import messages
from app.extensions import db
from app.models.notifications import MAIL_SKIPPED, Notification
from app.timeutil import utcnow

# (writer, recipients, subject, [(author, text)], minutes ago the conversation started)
CONVERSATIONS = [
    ("lid2@example.org", ["lid@example.org"], "Vrijwilligers voor de zonnemarkt",
     [("lid2@example.org", "Hoi Lotte, zag je bericht in het forum. Zal ik de **kraam** op de "
                           "zonnemarkt regelen? Ik heb nog twee mensen die willen helpen."),
      ("lid@example.org", "Graag! Kun je ook de folders meenemen?"),
      ("lid2@example.org", "Doe ik. Ik stuur je zaterdag een foto van de kraam.")], 3 * 24 * 60),
    ("financier@example.org", ["lid@example.org", "beheerder@example.org"],
     "Ledenlening voor de buurtbatterij",
     [("financier@example.org", "Beste Lotte, naar aanleiding van jullie labvraag: we kunnen "
                                "volgende week bellen over een ledenlening. Past dinsdag?"),
      ("lid@example.org", "Dinsdag om 10:00 uur past goed.")], 5 * 24 * 60),
    ("lid@example.org", ["onderzoeker@example.org"], "Vragenlijst over energiedelen",
     [("lid@example.org", "Hoi Olaf, onze leden willen best meedoen aan je vragenlijst. Wat is de "
                          "deadline?")], 60),
]


def seed_messages(users):
    """The demo conversations; returns {"conversations": n, "messages": n}."""
    now = utcnow()
    written = 0
    for writer, recipients, subject, lines, minutes_ago in CONVERSATIONS:
        start = now - timedelta(minutes=minutes_ago)
        author, first = lines[0]
        conversation = messages.start_conversation(
            users[author], [users[email] for email in recipients], subject, first, now=start)
        for n, (author, text) in enumerate(lines[1:], start=1):
            messages.reply(users[author], conversation, text, now=start + timedelta(minutes=20 * n))
        written += len(lines)
        # Everyone has read the conversation, except lid@example.org the first one's last reply.
        for member in conversation.members:
            if not (subject == CONVERSATIONS[0][2] and member.user.email == "lid@example.org"):
                messages.mark_read(member, conversation.last_message_at)
    db.session.execute(
        update(Notification).where(Notification.kind == messages.NOTIFICATION_KIND)
        .values(read_at=now, mail_state=MAIL_SKIPPED).execution_options(synchronize_session=False))
    db.session.flush()
    return {"conversations": len(CONVERSATIONS), "private messages": written}
