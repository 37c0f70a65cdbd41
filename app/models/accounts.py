"""People and their single-use tokens."""

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import func
from werkzeug.security import check_password_hash, generate_password_hash

from app.extensions import db
from app.timeutil import utcnow

# Platform roles. Membership of a collective (and being its representative) and partnership of
# labs are kept with the collective and the labs; the role says what the account is for.
ROLE_MEMBER = "member"
ROLE_REPRESENTATIVE = "representative"
ROLE_PARTNER = "partner"
ROLE_MODERATOR = "moderator"
ROLE_ADMIN = "admin"
ROLES = (ROLE_MEMBER, ROLE_REPRESENTATIVE, ROLE_PARTNER, ROLE_MODERATOR, ROLE_ADMIN)
ROLE_LABELS = {
    ROLE_MEMBER: "Lid",
    ROLE_REPRESENTATIVE: "Vertegenwoordiger",
    ROLE_PARTNER: "Partner",
    ROLE_MODERATOR: "Moderator",
    ROLE_ADMIN: "Beheerder",
}
STAFF_ROLES = (ROLE_MODERATOR, ROLE_ADMIN)

STATUS_ACTIVE = "active"
STATUS_SUSPENDED = "suspended"
STATUS_DELETED = "deleted"  # anonymised at the person's request; the row stays for their posts



def password_hash_method():
    """How passwords are hashed: scrypt at Werkzeug's cost, or the cheaper cost the test
    configuration sets (PASSWORD_HASH_METHOD)."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"

class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    name = db.Column(db.String(120), nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    role = db.Column(db.String(20), nullable=False, default=ROLE_MEMBER)
    status = db.Column(db.String(20), nullable=False, default=STATUS_ACTIVE)
    suspended_until = db.Column(db.DateTime, nullable=True)
    suspension_reason = db.Column(db.String(500), nullable=True)
    email_verified_at = db.Column(db.DateTime, nullable=True)
    # Part of the login cookie: replacing it ends every session of this person.
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_login_at = db.Column(db.DateTime, nullable=True)
    # The collective this person is a member (or the representative) of; None until approved.
    collective_id = db.Column(
        db.Integer, db.ForeignKey("collectives.id", ondelete="SET NULL"), nullable=True, index=True
    )

    # Notification e-mail: "direct", "digest" (daily) or "off" (see app.models.notifications).
    notify_email = db.Column(db.String(10), nullable=False, default="direct", server_default="direct")
    last_digest_at = db.Column(db.DateTime, nullable=True)
    # Staff: how new items in the moderators' queues reach them, "each" (bell and e-mail per item),
    # "daily" (bell per item, one e-mail at 08:00) or "none" (see app.models.notifications).
    staff_alerts = db.Column(db.String(10), nullable=False, default="each", server_default="each")
    staff_summary_at = db.Column(db.DateTime, nullable=True)
    # Partners: their organisation and labs (app.models.labs); research access is given by an admin.
    partner_organisation_id = db.Column(
        db.Integer, db.ForeignKey("partner_organisations.id", ondelete="SET NULL"), nullable=True
    )
    research_access = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    # Two-step sign-in (app.accounts.second_factor): the TOTP secret once confirmed, when it was
    # turned on, and the last time step a code was accepted for (a code is never accepted twice).
    totp_secret = db.Column(db.String(64), nullable=True)
    totp_enabled_at = db.Column(db.DateTime, nullable=True)
    totp_last_step = db.Column(db.BigInteger, nullable=True)
    # The profile on /leden/<id>-<name> (app.accounts.profiles): a short text in Markdown with its
    # HTML sanitised once, at save (app.markup), and a square photo re-encoded by the server, in
    # UPLOAD_DIR under a random name (None: initials on a colour derived from the id).
    bio_source = db.Column(db.Text, nullable=False, default="", server_default="")
    bio_html = db.Column(db.Text, nullable=False, default="", server_default="")
    avatar_name = db.Column(db.String(64), nullable=True)
    avatar_updated_at = db.Column(db.DateTime, nullable=True)

    collective = db.relationship("Collective", back_populates="members", foreign_keys=[collective_id])
    partner_organisation = db.relationship("PartnerOrganisation")
    labs = db.relationship("Lab", secondary="lab_partners", back_populates="partners",
                           order_by="Lab.position")

    def __repr__(self):
        return f"<User {self.id} {self.email}>"

    # -- identity and sessions ------------------------------------------------------------------
    # The signed-in session this object was loaded for (app.accounts.sessions): Flask-Login keeps
    # its raw token in the session cookie and the remember cookie, so ending the row ends both.
    current_session = None
    current_session_token = None

    def get_id(self):
        return self.current_session_token

    # UserMixin compares people by get_id(), which is now the signed-in session's token (None for
    # everyone loaded otherwise): compare by primary key instead.
    def __eq__(self, other):
        if not isinstance(other, User):
            return NotImplemented
        if self.id is None or other.id is None:
            return self is other
        return self.id == other.id

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def end_all_sessions(self):
        """End every signed-in session of this person (the caller signs the current one in again)."""
        db.session.execute(db.delete(UserSession).where(UserSession.user_id == self.id))

    # -- password -------------------------------------------------------------------------------
    def set_password(self, password):
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password):
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    # -- roles and status -----------------------------------------------------------------------
    @property
    def role_label(self):
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def has_second_factor(self):
        return self.totp_secret is not None and self.totp_enabled_at is not None

    @property
    def needs_second_factor(self):
        """Moderators, administrators and partners with research access must use two-step
        sign-in; everyone else may."""
        return self.role in STAFF_ROLES or (self.role == ROLE_PARTNER and bool(self.research_access))

    @property
    def is_staff(self):
        return self.role in STAFF_ROLES

    @property
    def is_moderator(self):
        return self.role in STAFF_ROLES

    @property
    def is_admin(self):
        return self.role == ROLE_ADMIN

    @property
    def is_partner(self):
        return self.role == ROLE_PARTNER

    @property
    def is_representative(self):
        return self.role == ROLE_REPRESENTATIVE

    @property
    def is_collective_member(self):
        """A member (or representative) of an approved collective: has member rights."""
        return self.collective_id is not None and self.role in (ROLE_MEMBER, ROLE_REPRESENTATIVE)

    def represents(self, collective):
        return (
            collective is not None
            and self.role == ROLE_REPRESENTATIVE
            and self.collective_id == collective.id
        )

    @property
    def email_verified(self):
        return self.email_verified_at is not None

    @property
    def is_suspended(self):
        if self.status != STATUS_SUSPENDED:
            return False
        return self.suspended_until is None or self.suspended_until > utcnow()

    @property
    def is_deleted(self):
        return self.status == STATUS_DELETED

    @property
    def is_active(self):  # Flask-Login: a suspended or deleted account cannot log in
        return not self.is_deleted and not self.is_suspended

    @classmethod
    def find_by_email(cls, email):
        email = (email or "").strip().lower()
        if not email:
            return None
        return db.session.execute(
            db.select(cls).where(func.lower(cls.email) == email)
        ).scalar_one_or_none()


class UserSession(db.Model):
    """One signed-in browser of a person: created at sign-in, ended at logout, by "end" on
    /account, by a password change or reset, suspension and deletion, or when idle or old
    (app.accounts.sessions). Only a hash of the cookie's token is stored."""

    __tablename__ = "user_sessions"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_seen_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    user_agent = db.Column(db.String(300), nullable=True)


class RecoveryCode(db.Model):
    """One of the ten single-use codes that sign a person in when their authenticator app is
    lost; only a hash is stored, the codes are shown once."""

    __tablename__ = "recovery_codes"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False,
                        index=True)
    code_hash = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    used_at = db.Column(db.DateTime, nullable=True)


REQUEST_REGISTER = "register"
REQUEST_RESET = "reset"


class AccountRequest(db.Model):
    """A registration or "forgot password" request waiting for the worker.

    The web request does the same work whether or not the address has an account (it hashes the
    password of a registration and stores one row), so neither the page nor its timing tells who
    has an account. The worker then creates the account or tells the owner it exists, or sends the
    reset link when there is an account (app.accounts.auth.process_account_requests). Rows are
    deleted when processed; a registration's password is only ever stored hashed."""

    __tablename__ = "account_requests"

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(20), nullable=False)
    email = db.Column(db.String(254), nullable=False)
    name = db.Column(db.String(120), nullable=True)
    password_hash = db.Column(db.String(255), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class Token(db.Model):
    """A single-use, expiring secret sent by e-mail (reset, verification, invitations).

    Only a SHA-256 hash is stored; the raw token exists in the e-mail alone.
    """

    __tablename__ = "tokens"

    id = db.Column(db.Integer, primary_key=True)
    purpose = db.Column(db.String(40), nullable=False)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    email = db.Column(db.String(254), nullable=True)
    payload = db.Column(db.JSON, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    used_at = db.Column(db.DateTime, nullable=True)

    user = db.relationship("User")

    __table_args__ = (db.Index("ix_tokens_user_purpose", "user_id", "purpose"),)

    @property
    def is_usable(self):
        return self.used_at is None and self.expires_at > utcnow()
