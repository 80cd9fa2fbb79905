"""OAI-PMH 2.0 (http://www.openarchives.org/OAI/openarchivesprotocol.html) over the published dataset.

:mod:`.protocol` checks requests (§3, §4), :mod:`.repository` lists items, sets, datestamps and deleted
records, :mod:`.metadata` makes the ``oai_dc``, ``edm`` and ``rdf`` payloads, :mod:`.tokens` signs
resumption tokens, :mod:`.envelope` writes the XML and :mod:`.verbs` answers the six verbs.
"""

from .protocol import OAIError
from .verbs import respond

__all__ = ["OAIError", "respond"]
