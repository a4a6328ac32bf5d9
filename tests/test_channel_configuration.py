"""Which messaging channels are on, and with which platform settings (no server needed)."""

from __future__ import annotations

import pytest

from bot.channels.configuration import ChannelNotConfigured, WhatsAppConfig
from tests.fakes import whatsapp as wa

WHATSAPP_ENV = {
    "WHATSAPP_VERIFY_TOKEN": wa.VERIFY_TOKEN,
    "WHATSAPP_APP_SECRET": wa.APP_SECRET,
    "WHATSAPP_ACCESS_TOKEN": wa.ACCESS_TOKEN,
    "WHATSAPP_PHONE_NUMBER_ID": wa.PHONE_NUMBER_ID,
}


def test_whatsapp_sends_to_a_graph_api_version_meta_still_serves_by_default():
    config = WhatsAppConfig.from_env(WHATSAPP_ENV)
    assert config.messages_url == f"https://graph.facebook.com/v23.0/{wa.PHONE_NUMBER_ID}/messages"
    major, minor = (int(part) for part in config.api_version.lstrip("v").split("."))
    assert (major, minor) >= (23, 0)  # v20.0 was retired in Sept 2026


def test_the_whatsapp_api_version_and_host_can_be_set():
    config = WhatsAppConfig.from_env(
        {**WHATSAPP_ENV, "WHATSAPP_API_VERSION": "v24.0", "WHATSAPP_API_BASE": "http://127.0.0.1:9/"}
    )
    assert config.messages_url == f"http://127.0.0.1:9/v24.0/{wa.PHONE_NUMBER_ID}/messages"


@pytest.mark.parametrize(
    "setting, says",
    [
        ({"WHATSAPP_API_VERSION": "23"}, "WHATSAPP_API_VERSION must look like v23.0"),
        ({"WHATSAPP_API_BASE": "https://graph.facebook.com/v20.0"}, "set only the host"),
        ({"WHATSAPP_ACCESS_TOKEN": " "}, "WHATSAPP_ACCESS_TOKEN"),
    ],
)
def test_a_wrong_whatsapp_setting_stops_the_start_with_a_clear_error(setting, says):
    with pytest.raises(ChannelNotConfigured, match=says):
        WhatsAppConfig.from_env({**WHATSAPP_ENV, **setting})
