import pytest
from fastapi.testclient import TestClient

from guanxi_needs.main import create_app
from guanxi_needs.settings import Settings
from guanxi_shared.testing import auth

pytest_plugins = ["guanxi_shared.testing"]


@pytest.fixture
def client(database_url):
    app = create_app(Settings(database_url=database_url, subscribers=""))
    with TestClient(app, headers=auth()) as c:
        yield c
