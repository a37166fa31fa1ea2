import pytest
from fastapi.testclient import TestClient

from guanxi_registry.main import create_app
from guanxi_registry.settings import Settings
from guanxi_testing.fixtures import auth

pytest_plugins = ["guanxi_testing.fixtures"]


@pytest.fixture
def client(database_url):
    app = create_app(Settings(database_url=database_url, subscribers=""))
    with TestClient(app, headers=auth()) as c:
        yield c
