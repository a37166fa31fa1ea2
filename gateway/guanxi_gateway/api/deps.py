"""Dependencies of the gateway's own routes."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from guanxi_shared.auth import Principal, Role, require_roles

from ..audit_writer import AuditWriter
from ..identity import Authenticator
from ..protection import request_ip

Admin = Annotated[Principal, Depends(require_roles(Role.admin))]


def authenticator(request: Request) -> Authenticator:
    return request.app.state.authenticator


def audit_writer(request: Request) -> AuditWriter:
    return request.app.state.audit


def client_ip(request: Request) -> str:
    return request_ip(request.scope)


Auth = Annotated[Authenticator, Depends(authenticator)]
Audit = Annotated[AuditWriter, Depends(audit_writer)]
ClientIp = Annotated[str, Depends(client_ip)]
