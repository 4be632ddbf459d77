# The intake fixtures (chat channels configured against the local platform server).
from tests.intake.conftest import channels, platforms  # noqa: F401
