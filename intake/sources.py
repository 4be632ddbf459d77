"""The keyed digest of the address a complaint or a vote came from.

`casework.crypto.blind_index` of the client address (as `casework.client_ip.client_ip` resolves
it behind the proxy): the same address gives the same digest, which tells nothing without the key.
The same digest for a complaint (`FilingSource.source_key`) and a vote (`Vote.source_key`).
"""

from __future__ import annotations

from casework.crypto import blind_index


def address_key(address: str) -> str:
    """The digest stored for a client address; empty when the address is unknown."""
    return blind_index(f"address:{address}") if address else ""
