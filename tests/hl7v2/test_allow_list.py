"""``--allow``: MLLP has no authentication, so the listener can take connections from named networks only."""

from __future__ import annotations

import re

import pytest
from django.core.management import CommandError, call_command

from tests.hl7v2.harness import Client, ListenerThread, adt, read_ack
from wraparound.hl7v2.models import InboxMessage
from wraparound.hl7v2.server import is_allowed, parse_networks


def test_addresses_and_networks_are_read_and_matched() -> None:
    networks = parse_networks(["10.1.0.0/16", "192.0.2.7", "2001:db8::/32"])
    assert is_allowed("10.1.200.3", networks)
    assert not is_allowed("10.2.0.1", networks)
    assert is_allowed("192.0.2.7", networks)
    assert not is_allowed("192.0.2.8", networks)
    assert is_allowed("2001:db8::1", networks)
    assert is_allowed("::ffff:10.1.0.9", networks)  # an IPv4 peer on a dual-stack socket
    assert not is_allowed("::1", networks)
    assert not is_allowed("not-an-address", networks)
    assert is_allowed("203.0.113.9", ())  # no list: everyone, as before


def test_a_wrong_network_is_refused_with_its_value_named() -> None:
    with pytest.raises(ValueError, match=re.escape("'10.1.0.0/33'")):
        parse_networks(["10.1.0.0/33"])
    with pytest.raises(CommandError, match="--allow 'hospital-a'"):
        call_command("mllp", "--allow", "hospital-a", "--port", "0")


@pytest.mark.django_db
def test_a_connection_from_outside_the_list_is_closed_unanswered_and_nothing_is_stored() -> None:
    with ListenerThread(allowed=parse_networks(["10.0.0.0/8"])) as listener, Client(listener.port) as client:
        client.send(b"\x0b" + adt("outsider-1") + b"\x1c\x0d")
        with pytest.raises(ConnectionError):  # the end of the stream, or a reset: never an answer
            client.read_frames(1)
        assert listener.listener is not None
        assert listener.listener.stats.refused == 1
        assert listener.listener.stats.frames == 0
    assert not InboxMessage.objects.filter(control_id="outsider-1").exists()


@pytest.mark.django_db
def test_a_connection_from_an_allowed_address_is_served() -> None:
    with (
        ListenerThread(allowed=parse_networks(["10.0.0.0/8", "127.0.0.1"])) as listener,
        Client(listener.port) as client,
    ):
        assert read_ack(client.exchange(adt("insider-1"))).code == "AA"
        assert listener.listener is not None
        assert listener.listener.stats.refused == 0
    assert InboxMessage.objects.filter(control_id="insider-1").count() == 1
