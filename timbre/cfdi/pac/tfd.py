"""A TimbreFiscalDigital 1.1 signed by a local certificate (the sandbox PAC's), for any CFDI family."""

from __future__ import annotations

import base64
import uuid as uuid_module
from datetime import datetime
from typing import Any

from satcfdi.create.cfd.tfd11 import TimbreFiscalDigital

from ..certs import Credential


class _Proveedor:
    """What satcfdi's TimbreFiscalDigital expects from its `proveedor` (a satcfdi Signer)."""

    def __init__(self, credential: Credential) -> None:
        self.credential = credential
        self.rfc_pac = credential.rfc
        self.certificate_number = credential.no_certificado

    def sign_sha256(self, data: bytes) -> str:
        return base64.b64encode(self.credential.sign_sha256(data)).decode("ascii")


def timbre_fiscal(credential: Credential, sello_cfd: str, fecha_timbrado: datetime) -> Any:
    """A new TFD 1.1 (fresh UUID) over `sello_cfd`, signed with `credential`."""
    return TimbreFiscalDigital(
        proveedor=_Proveedor(credential),
        uuid=str(uuid_module.uuid4()).upper(),
        fecha_timbrado=fecha_timbrado,
        sello_cfd=sello_cfd,
    )
