"""client_address: REMOTE_ADDR unless the settings say which proxies' X-Forwarded-For to trust."""

import ipaddress

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings
from hypothesis import given
from hypothesis import strategies as st

from tandem.accounts.client_address import client_address

addresses = st.one_of(st.ip_addresses(v=4).map(str), st.ip_addresses(v=6).map(str))
junk = st.sampled_from(["unknown", "", "not-an-ip", "1.2.3", "::g", "evil.example"])


def _request(remote: str, forwarded: list[str] | None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = ", ".join(forwarded)
    return RequestFactory().get("/", **meta)


@given(remote=addresses, forwarded=st.lists(st.one_of(addresses, junk), max_size=6))
def test_without_proxy_settings_the_header_is_ignored(remote, forwarded):
    # given no proxy is configured, whatever the client claims
    with override_settings(TRUSTED_PROXY_COUNT=0, TRUSTED_PROXIES=[]):
        # when / then
        assert client_address(_request(remote, forwarded)) == str(ipaddress.ip_address(remote))


@given(
    spoofed=st.lists(st.one_of(addresses, junk), max_size=4),
    client=addresses,
    proxies=st.lists(addresses, min_size=1, max_size=4),
)
def test_with_a_proxy_count_the_client_is_that_many_entries_from_the_right(
    spoofed, client, proxies
):
    # given n proxies: the first appended the client, each next one the proxy before it;
    # whatever the client put in the header itself comes first
    count = len(proxies)
    forwarded = [*spoofed, client, *proxies[:-1]]
    with override_settings(TRUSTED_PROXY_COUNT=count, TRUSTED_PROXIES=[]):
        # when
        found = client_address(_request(proxies[-1], forwarded))
    # then
    assert found == str(ipaddress.ip_address(client))


@given(remote=addresses, forwarded=st.lists(addresses, max_size=2), extra=st.integers(1, 3))
def test_with_fewer_entries_than_proxies_the_header_is_not_believed(remote, forwarded, extra):
    with override_settings(TRUSTED_PROXY_COUNT=len(forwarded) + extra, TRUSTED_PROXIES=[]):
        assert client_address(_request(remote, forwarded)) == str(ipaddress.ip_address(remote))


@given(
    spoofed=st.lists(st.one_of(addresses, junk), max_size=4),
    client=st.ip_addresses(v=4, network="198.51.100.0/24").map(str),
    hops=st.lists(st.ip_addresses(v=4, network="10.0.0.0/8").map(str), min_size=1, max_size=4),
)
def test_with_trusted_proxies_the_client_is_the_first_untrusted_hop(spoofed, client, hops):
    # given a chain of trusted proxies in 10.0.0.0/8 in front of the client
    forwarded = [*spoofed, client, *hops[:-1]]
    with override_settings(TRUSTED_PROXY_COUNT=0, TRUSTED_PROXIES=["10.0.0.0/8"]):
        # when
        found = client_address(_request(hops[-1], forwarded))
    # then
    assert found == client


@given(remote=st.ip_addresses(v=4, network="198.51.100.0/24").map(str), claimed=addresses)
def test_a_peer_that_is_not_a_trusted_proxy_is_the_client(remote, claimed):
    with override_settings(TRUSTED_PROXY_COUNT=0, TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert client_address(_request(remote, [claimed])) == remote


def test_no_request_has_no_address():
    assert client_address(None) is None


def test_a_malformed_trusted_proxy_setting_is_a_configuration_error():
    with (
        override_settings(TRUSTED_PROXY_COUNT=0, TRUSTED_PROXIES=["10.0.0.0/8", "proxy.lan"]),
        pytest.raises(ImproperlyConfigured, match=r"proxy\.lan"),
    ):
        client_address(_request("10.0.0.1", ["198.51.100.1"]))
