"""Notifications as messages: subjects, the email text, Slack payloads that ping only the person."""

from __future__ import annotations

from coparent.notify import Message, Notice, message_slack, message_subject, message_text
from coparent.notify.notices import MAX_NOTICES_SLACK


def _one(**extra: object) -> Message:
    notice = Notice("Waiting for Marketing", "Why <!channel> & <b>", "due Tue", "/feedback/3/")
    return Message(notices=(notice,), name="Ana", company="Acme", **extra)  # type: ignore[arg-type]


def test_one_notice_is_its_own_subject_and_several_are_counted() -> None:
    assert message_subject(_one()) == "Acme: Waiting for Marketing: Why <!channel> & <b>"
    two = Message(notices=(Notice("A", "a"), Notice("B", "b")), company="Acme")
    assert message_subject(two) == "Acme: 2 things for you"
    daily = Message(notices=(Notice("A", "a"),), summary=True)
    assert message_subject(daily) == "your daily summary, 1 thing for you"
    long = Message(notices=(Notice("A", "x" * 400),))
    assert len(message_subject(long)) == 150


def test_the_email_text_links_to_the_app_only_when_its_address_is_known() -> None:
    text = message_text(_one(app_url="https://app.example/"))
    assert text.startswith("Hello Ana,\n")
    assert "- Waiting for Marketing: Why <!channel> & <b>\n  due Tue\n" in text
    assert "  https://app.example/feedback/3/\n" in text
    assert "https://app.example/accounts/profile/" in text
    assert "https://" not in message_text(_one())


def test_slack_mentions_a_valid_member_id_and_escapes_what_people_typed() -> None:
    payload = message_slack(_one(mention="U024BE7LH"))
    assert payload["text"] == (
        "<@U024BE7LH> Waiting for Marketing: Why &lt;!channel&gt; &amp; &lt;b&gt;"
    )
    assert "<!channel>" not in str(payload)
    forged = message_slack(_one(mention="U1> <!channel"))
    assert "<@" not in forged["text"]
    assert "<!channel" not in str(forged)


def test_a_long_list_on_slack_is_cut_with_a_count_of_the_rest() -> None:
    many = Message(notices=tuple(Notice("Overdue", f"item {n}") for n in range(30)))
    payload = message_slack(many)
    assert len(payload["blocks"]) == 1 + MAX_NOTICES_SLACK + 1
    assert payload["blocks"][-1]["elements"][0]["text"] == (
        "... and 10 more (the app lists them all)"
    )
    assert "item 29" in message_text(many)
