import pytest

from guanxi_registry.main import create_app
from guanxi_registry.settings import Settings
from guanxi_testing.fixtures import serve

pytest_plugins = ["guanxi_testing.fixtures"]


@pytest.fixture
def client(database_url):
    yield from serve(create_app(Settings(database_url=database_url, subscribers="")))
