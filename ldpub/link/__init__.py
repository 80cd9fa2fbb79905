"""Link step: mentions, parties and credits of a record resolved to authority entries."""

from .authority import Authority, Entry, load_authority
from .document import LinkedDocument, Linker, link_documents

__all__ = ["Authority", "Entry", "LinkedDocument", "Linker", "link_documents", "load_authority"]
