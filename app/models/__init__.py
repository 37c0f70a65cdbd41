"""All models, imported here so that Flask-Migrate sees every table."""
from app.models.accounts import AccountRequest, RecoveryCode, Token, User, UserSession  # noqa: F401
from app.models.audit import AuditLog  # noqa: F401
from app.models.bookmarks import Bookmark  # noqa: F401
from app.models.collectives import Collective, JoinRequest  # noqa: F401
from app.models.drafts import Draft  # noqa: F401
from app.models.forum import (  # noqa: F401
    ForumGroup,
    GroupWatch,
    Post,
    PostReport,
    PostRevision,
    Thread,
    ThreadRead,
    ThreadWatch,
)
from app.models.images import PostImage  # noqa: F401
from app.models.labs import (  # noqa: F401
    Lab,
    LabQuestion,
    LabReply,
    LabRevision,
    PartnerApplication,
    PartnerOrganisation,
    lab_partners,
)
from app.models.messages import (  # noqa: F401
    Block,
    Conversation,
    ConversationMember,
    Message,
    MessageReport,
)
from app.models.notifications import Notification, StaffAlert  # noqa: F401
from app.models.outbox import OutboxMessage  # noqa: F401
from app.models.public import ContactMessage, TeamMember  # noqa: F401
from app.models.reactions import LabReplyHelpful, PostThanks  # noqa: F401
from app.models.selfscan import SelfScan, SelfScanAnswer  # noqa: F401
from app.models.knowledge import KnowledgeAttachment, KnowledgeItem, KnowledgeTag  # noqa: F401
from app.models.search import SearchJob  # noqa: F401
from app.models.worker import WorkerJob  # noqa: F401
