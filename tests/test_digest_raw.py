"""The per-view digest template builds, per recipient, the message `build_message` builds:
same headers, same decoded parts, valid MIME, links put in place, nothing unescaped."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage

import pytest

from digests.messages import build_message
from digests.raw_message import DigestTemplate
from digests.render import Rendered
from summitwatch.config import Settings, get_settings

MANAGE, LEAVE = "https://slot.invalid/manage", "https://slot.invalid/leave"
TEXT = (
    "Résumé de la semaine — INESIA a été créé.\n"
    ".a line starting with a dot\n"
    "From the start of a line\n"
    "trailing spaces   \n" + "long " * 60 + "\n" + f"Gérer : {MANAGE}\nSe désinscrire : {LEAVE}\n"
)
HTML = (
    "<!doctype html><html><body><p>Résumé — l'été</p>"
    + "<p>x</p>" * 2000
    + f'<a href="{MANAGE}">gérer</a> <a href="{LEAVE}">quitter</a></body></html>'
)


@pytest.fixture
def settings(env: dict[str, str]) -> Settings:
    return get_settings()


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


@pytest.mark.parametrize("recipient", ["reader@example.org", "lecteur@exemple-été.fr"])
def test_template_message_equals_build_message(settings: Settings, recipient: str) -> None:
    rendered = Rendered(subject="Suivi du Sommet — semaine 7 : ça avance", html=HTML, text=TEXT)
    links = {
        "manage_url": "https://sw.test/manage?token=abc.def",
        "unsubscribe_url": "https://sw.test/unsubscribe?token=u.v",
        "one_click_url": "https://sw.test/unsubscribe/one-click?token=u.v",
    }
    template = DigestTemplate(rendered, settings, manage_slot=MANAGE, unsubscribe_slot=LEAVE)
    raw = template.message(recipient, message_id="<m1@sw.test>", **links)
    assert raw.international == (not recipient.isascii())
    assert b"\r\n" in raw.data and b"\n" not in raw.data.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.data.split(b"\r\n"))

    personal = Rendered(
        subject=rendered.subject,
        html=HTML.replace(MANAGE, links["manage_url"]).replace(LEAVE, links["unsubscribe_url"]),
        text=TEXT.replace(MANAGE, links["manage_url"]).replace(LEAVE, links["unsubscribe_url"]),
    )
    reference = build_message(
        personal,
        recipient,
        settings,
        message_id="<m1@sw.test>",
        unsubscribe_url=links["unsubscribe_url"],
        one_click_url=links["one_click_url"],
        list_mail=True,
    )
    ours, theirs = parse(raw.data), parse(reference.as_bytes(policy=reference.policy.clone(linesep="\r\n")))
    assert not ours.defects and all(not part.defects for part in ours.walk())
    names = [k for k in theirs if k != "Date"]
    assert sorted(k for k in ours if k != "Date") == sorted(names)
    for name in names:
        if name == "Content-Type":  # each names its own boundary
            assert ours.get_content_type() == theirs.get_content_type()
            continue
        assert str(ours[name]) == str(theirs[name]), name
    assert ours["Date"] and ours["Date"].datetime is not None
    assert ours.get_content_type() == "multipart/alternative"
    ours_parts = [(p.get_content_type(), p.get_content()) for p in ours.iter_parts()]
    theirs_parts = [(p.get_content_type(), p.get_content()) for p in theirs.iter_parts()]
    assert ours_parts == theirs_parts
    assert links["manage_url"] in ours_parts[0][1] and MANAGE not in ours_parts[1][1]


def test_each_template_has_its_own_boundary_and_refuses_header_injection(settings: Settings) -> None:
    rendered = Rendered(subject="s", html="<p>h</p>", text="t")
    one = DigestTemplate(rendered, settings, manage_slot=MANAGE, unsubscribe_slot=LEAVE)
    two = DigestTemplate(rendered, settings, manage_slot=MANAGE, unsubscribe_slot=LEAVE)
    assert one.boundary != two.boundary
    with pytest.raises(ValueError, match="line break"):
        one.message(
            "a@b.c", message_id="<x@y>\r\nBcc: evil@x", manage_url="m", unsubscribe_url="u", one_click_url="o"
        )


def test_a_non_ascii_local_part_goes_as_smtputf8(settings: Settings) -> None:
    """`build_message`'s header registry refuses such an address; the template writes it raw (SMTPUTF8)."""
    template = DigestTemplate(
        Rendered(subject="s", html="<p>h</p>", text="t"), settings, manage_slot=MANAGE, unsubscribe_slot=LEAVE
    )
    raw = template.message(
        "lecteur.été@exemple.fr", message_id="<m@x>", manage_url="m", unsubscribe_url="u", one_click_url="o"
    )
    assert raw.international and "lecteur.été@exemple.fr".encode() in raw.data
    parsed = email.message_from_string(raw.data.decode("utf-8"), policy=policy.default)
    assert parsed["To"].addresses[0].addr_spec == "lecteur.été@exemple.fr"
