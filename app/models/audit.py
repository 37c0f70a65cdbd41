"""The audit log of moderator and administrator actions."""
from app.extensions import db
from app.timeutil import utcnow


# What each action code means, in Dutch, for the audit page (the code stays visible and filterable).
ACTION_LABELS = {
    "account.deleted": "Account verwijderd",
    "collective.edit": "Collectief bewerkt",
    "forum.create_group": "Groep aangemaakt",
    "forum.update_group": "Groep bewerkt",
    "forum.move_group": "Groep verplaatst",
    "forum.edit_post": "Bericht bewerkt",
    "forum.delete_post": "Bericht verwijderd",
    "forum.hide_post": "Bericht verborgen",
    "forum.restore_post": "Bericht teruggezet",
    "forum.resolve_report": "Melding afgehandeld",
    "forum.lock_thread": "Discussie gesloten",
    "forum.unlock_thread": "Discussie heropend",
    "forum.pin_thread": "Discussie vastgezet",
    "forum.unpin_thread": "Discussie losgemaakt",
    "forum.move_thread": "Discussie verplaatst",
    "forum.delete_thread": "Discussie verwijderd",
    "invitation.accept": "Uitnodiging aangenomen",
    "join_request.approve": "Aanmelding bij collectief goedgekeurd",
    "join_request.decline": "Aanmelding bij collectief afgewezen",
    "knowledge.create": "Kennisbankitem aangemaakt",
    "knowledge.update": "Kennisbankitem bewerkt",
    "knowledge.publish": "Kennisbankitem gepubliceerd",
    "knowledge.unpublish": "Kennisbankitem teruggetrokken",
    "knowledge.delete": "Kennisbankitem verwijderd",
    "knowledge.add_attachment": "Bijlage toegevoegd",
    "knowledge.delete_attachment": "Bijlage verwijderd",
    "labs.edit_question": "Labvraag bewerkt",
    "labs.edit_reply": "Labbijdrage bewerkt",
    "labs.accept_answer": "Antwoord geaccepteerd",
    "labs.unaccept_answer": "Geaccepteerd antwoord ingetrokken",
    "member.role": "Rol gewijzigd",
    "messages.moderator_view": "Privégesprek gelezen na een melding",
    "messages.resolve_report": "Melding van een privébericht afgehandeld",
    "member.suspend": "Lid geschorst",
    "member.unsuspend": "Schorsing opgeheven",
    "member.remove": "Uit collectief verwijderd",
    "member.second_factor_reset": "Tweestapsverificatie uitgezet",
    "partner.approve": "Partneraanvraag goedgekeurd",
    "partner.refuse": "Partneraanvraag afgewezen",
    "partner.invitation_accept": "Partneruitnodiging aangenomen",
    "partner.add_to_lab": "Partner aan lab toegevoegd",
    "partner.remove_from_lab": "Partner uit lab gehaald",
    "partner.research_access": "Onderzoekstoegang gewijzigd",
    "selfscan.approve": "Zelfscan goedgekeurd",
    "selfscan.reject": "Zelfscan afgewezen",
    "team.create": "Teamlid toegevoegd",
    "team.update": "Teamlid bewerkt",
    "team.move": "Teamlid verplaatst",
    "team.delete": "Teamlid verwijderd",
}


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow, index=True)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    action = db.Column(db.String(60), nullable=False, index=True)
    target_type = db.Column(db.String(40), nullable=True)
    target_id = db.Column(db.Integer, nullable=True)
    summary = db.Column(db.String(500), nullable=False, default="")
    details = db.Column(db.JSON, nullable=True)

    actor = db.relationship("User")

    @property
    def action_label(self):
        return ACTION_LABELS.get(self.action, self.action)


def record(actor, action, target=None, summary="", **details):
    """Add an audit entry in the current transaction (the caller commits)."""
    entry = AuditLog(
        actor_id=getattr(actor, "id", None),
        action=action,
        target_type=target.__tablename__ if target is not None else None,
        target_id=getattr(target, "id", None),
        summary=summary[:500],
        details=details or None,
    )
    db.session.add(entry)
    return entry
