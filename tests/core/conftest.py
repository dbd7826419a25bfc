"""A published directive to two Hanoi platforms, with an editor each, for the tests of what follows a delivery."""

from __future__ import annotations

import pytest

from hub.models import OrgKind, Role
from tests import factories as f
from tests.conftest import T0


@pytest.fixture
def setup(engine):
    regulator = f.org(engine, T0, OrgKind.REGULATOR)
    officer = f.user(engine, T0, regulator, Role.OFFICER)
    platform = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    other = f.org(engine, T0, OrgKind.PLATFORM, "HNI")
    editor = f.user(engine, T0, platform, Role.EDITOR)
    other_editor = f.user(engine, T0, other, Role.EDITOR)
    directive = f.published(engine, T0, officer, {"provinces": ["HNI"]}).directive
    return engine, officer, editor, other_editor, directive
