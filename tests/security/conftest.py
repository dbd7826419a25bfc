"""The HTTP world of tests/web (organisations, people, tokens, directives), for the security tests."""

from tests.web.conftest import world, world_app, world_template  # noqa: F401
