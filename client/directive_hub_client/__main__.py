"""``python -m directive_hub_client``: the same as the ``directive-hub`` command."""

import sys

from directive_hub_client.cli import main

sys.exit(main())
