import pytest

from guanxi_segmentation.main import create_app
from guanxi_segmentation.settings import Settings
from guanxi_testing.fixtures import serve

pytest_plugins = ["guanxi_testing.fixtures"]


@pytest.fixture
def client(database_url):
    yield from serve(create_app(Settings(database_url=database_url, subscribers="")))


@pytest.fixture
def publishing_client(database_url):
    """What the app publishes stays in its outbox: engagement subscribes, no job delivers."""
    yield from serve(create_app(Settings(database_url=database_url, run_background_jobs=False,
                                         subscribers="engagement=http://127.0.0.1:9")))
