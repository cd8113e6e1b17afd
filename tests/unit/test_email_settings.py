"""RETURNS_SMTP_URL, RETURNS_MAIL_FROM and RETURNS_STAFF_EMAILS are checked at start, with a message naming the
variable; a good URL says how the server is reached."""
from __future__ import annotations

import pytest

from saleor_returns.adapters.mail.smtp import SmtpServer
from saleor_returns.settings import Settings, SettingsError


@pytest.mark.parametrize("env, fragment", [
    ({"RETURNS_SMTP_URL": "http://mail.example.com"}, "RETURNS_SMTP_URL must start with smtp://"),
    ({"RETURNS_SMTP_URL": "smtp://"}, "RETURNS_SMTP_URL names no host"),
    ({"RETURNS_SMTP_URL": "smtp://mail.example.com:99999"}, "RETURNS_SMTP_URL has a bad port"),
    ({"RETURNS_SMTP_URL": "smtp://mail.example.com?timeout=soon"}, "timeout must be a number"),
    ({"RETURNS_SMTP_URL": "smtp://mail.example.com?timeout=600"}, "at most 60 seconds"),
    ({"RETURNS_MAIL_FROM": "Returns"}, "RETURNS_MAIL_FROM must be an address"),
    ({"RETURNS_STAFF_EMAILS": "ops@shop.example; lead@shop.example"}, "RETURNS_STAFF_EMAILS"),
])
def test_a_bad_setting_stops_the_start_naming_it(env, fragment):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"RETURNS_ADMIN_TOKEN": "t" * 24, **env})
    assert fragment in str(err.value)


def test_good_settings_are_read():
    settings = Settings.from_env({"RETURNS_ADMIN_TOKEN": "t" * 24,
                                  "RETURNS_SMTP_URL": "smtp://apikey:SG.a%2Fb%40c@smtp.sendgrid.net:587?timeout=10",
                                  "RETURNS_MAIL_FROM": "Café Zoë <returns@cafe.example>",
                                  "RETURNS_STAFF_EMAILS": "ops@shop.example, lead@shop.example"})
    email = settings.email
    assert email.sender == ("Café Zoë", "returns@cafe.example")
    assert email.staff_emails == ("ops@shop.example", "lead@shop.example")
    assert email.smtp_shown == "smtp://apikey@smtp.sendgrid.net:587"  # no password in banners and logs
    server = SmtpServer.parse(email.smtp_url or "")
    assert (server.password, server.timeout, server.implicit_tls) == ("SG.a/b@c", 10.0, False)
    assert SmtpServer.parse("smtps://mail.example.com").port == 465
    assert SmtpServer.parse("smtp://mail.example.com").port == 587


def test_without_an_smtp_url_nothing_is_configured():
    email = Settings.from_env({"RETURNS_ADMIN_TOKEN": "t" * 24}).email
    assert email.smtp_url is None and email.smtp_shown is None and email.staff_emails == ()
