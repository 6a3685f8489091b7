"""Every published event, grouped by the context that publishes it.

Importing this package registers each class so ``ce-type`` resolves to it.
"""

from contracts.events.acceptance import *  # noqa: F401,F403
from contracts.events.finance import *  # noqa: F401,F403
from contracts.events.intake import *  # noqa: F401,F403
from contracts.events.notify import *  # noqa: F401,F403
from contracts.events.procurement import *  # noqa: F401,F403
from contracts.events.review import *  # noqa: F401,F403
