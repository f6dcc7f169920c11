"""athena Secure Messages lists: the envelope, order, limit/offset, next/previous, showplaintext."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sandbox_helpers import Api, athena_time, base, listing

LISTS = ("inboxmessages", "archivedmessages", "sentmessages")


def order_key(item: dict[str, Any]) -> tuple[dt.datetime, int]:
    return athena_time(item["lastmodifieddatetime"]), item["messagethreadid"]


@pytest.mark.parametrize("name", LISTS)
def test_lists_are_envelopes_newest_first_with_id_tiebreak(athena_ro: Api, name: str) -> None:
    body = listing(athena_ro, name, "?limit=10000")
    items = body["messages"]
    assert set(body) == {"totalcount", "messages"}  # everything on one page: no next, no previous
    assert body["totalcount"] == len(items) > 0
    assert [order_key(i) for i in items] == sorted((order_key(i) for i in items), reverse=True)
    for item in items:
        assert item["documentid"] == item["messagethreadid"]
        assert item["messagelist"], "a thread has messages"


def test_lists_hold_the_threads_they_name(athena_ro: Api) -> None:
    inbox = listing(athena_ro, "inboxmessages", "?limit=10000")["messages"]
    archived = listing(athena_ro, "archivedmessages", "?limit=10000")["messages"]
    sent = listing(athena_ro, "sentmessages", "?limit=10000")["messages"]
    assert {t["status"] for t in inbox} == {"OPEN"}
    assert {t["status"] for t in archived} == {"ARCHIVED"}
    assert all(any(m["sendertype"] == "PRACTICE" for m in t["messagelist"]) for t in inbox)
    assert all(any(m["sendertype"] == "PATIENT" for m in t["messagelist"]) for t in sent)
    assert athena_ro.ids["messagethreadid"] in {t["messagethreadid"] for t in inbox}
    assert athena_ro.ids["archived_messagethreadid"] in {t["messagethreadid"] for t in archived}


def test_inbox_default_limit_is_1000_of_more_than_1000(athena_ro: Api) -> None:
    body = listing(athena_ro, "inboxmessages")
    assert body["totalcount"] >= 1001
    assert len(body["messages"]) == 1000
    assert body["next"].endswith("/securemessage/inboxmessages?limit=1000&offset=1000")
    assert "previous" not in body


@pytest.mark.parametrize("name", LISTS)
def test_limit_and_offset_page_through_the_same_order(athena_ro: Api, name: str) -> None:
    everything = listing(athena_ro, name, "?limit=10000")["messages"]
    limit = max(1, len(everything) // 3)
    page = listing(athena_ro, name, f"?limit={limit}&offset={limit}")
    assert page["messages"] == everything[limit : 2 * limit]
    assert page["totalcount"] == len(everything)
    path = f"{base(athena_ro)}/securemessage/{name}"
    assert page["previous"] == f"{path}?limit={limit}&offset=0"
    if 2 * limit < len(everything):
        assert page["next"] == f"{path}?limit={limit}&offset={2 * limit}"


def test_following_next_reads_every_thread_once(athena_ro: Api) -> None:
    total = listing(athena_ro, "inboxmessages", "?limit=1")["totalcount"]
    seen: list[int] = []
    link: str | None = f"{base(athena_ro)}/securemessage/inboxmessages?limit=400"
    for _ in range(10):  # bounded: 400 a page
        if link is None:
            break
        page = athena_ro.get(link).json()
        seen += [t["messagethreadid"] for t in page["messages"]]
        link = page.get("next")
    assert link is None and len(seen) == len(set(seen)) == total


def test_last_page_has_no_next_and_past_the_end_is_empty(athena_ro: Api) -> None:
    total = listing(athena_ro, "archivedmessages", "?limit=1")["totalcount"]
    last = listing(athena_ro, "archivedmessages", f"?limit=5&offset={total - 1}")
    assert len(last["messages"]) == 1 and "next" not in last and "previous" in last
    beyond = listing(athena_ro, "archivedmessages", f"?offset={total + 10}")
    assert beyond["messages"] == [] and beyond["totalcount"] == total


def test_links_keep_showplaintext(athena_ro: Api) -> None:
    body = listing(athena_ro, "inboxmessages", "?showplaintext=Y&limit=5&offset=5")
    for link in (body["next"], body["previous"]):
        query = parse_qs(urlsplit(link).query)
        assert query["showplaintext"] == ["Y"] and query["limit"] == ["5"]
        assert not link.startswith("/athena"), "links are vendor paths, without the mount"


@pytest.mark.parametrize("name", ["inboxmessages", "archivedmessages"])
def test_showplaintext_strips_tags_and_decodes_entities(athena_ro: Api, name: str) -> None:
    as_html = listing(athena_ro, name, "?limit=50")["messages"]
    as_text = listing(athena_ro, name, "?limit=50&showplaintext=Y")["messages"]
    html_texts = [m["text"] for t in as_html for m in t["messagelist"]]
    plain_texts = [m["text"] for t in as_text for m in t["messagelist"]]
    assert any(re.search(r"<[a-z]+>", text) for text in html_texts), "the default is HTML"
    assert any(re.search(r"&(?:amp|#x27|lt|gt|quot);", text) for text in html_texts)
    for source, plain in zip(html_texts, plain_texts, strict=True):
        assert not re.search(r"</?[a-z][^>]*>", plain)
        assert not re.search(r"&(?:amp|#x27|#39|lt|gt|quot);", plain)
        stripped = html.unescape(re.sub(r"<[^>]*>", "", source))
        assert re.sub(r"\s", "", plain) == re.sub(r"\s", "", stripped)


def test_showplaintext_other_values_keep_html(athena_ro: Api) -> None:
    default = listing(athena_ro, "inboxmessages", "?limit=20")
    assert listing(athena_ro, "inboxmessages", "?limit=20&showplaintext=N")["messages"] == default["messages"]


def test_empty_mailbox(athena_ro: Api) -> None:
    for name in LISTS:
        assert listing(athena_ro, name, patient="empty_patientid") == {"totalcount": 0, "messages": []}


def test_a_full_thread_cache_starts_over_without_failing_a_page(
    athena: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages that overflow the kept fragments are still served whole (the cache empties between pages)."""
    from patientmsg.mockserver.athena import cache as athena_cache

    monkeypatch.setattr(athena_cache, "MAX_FRAGMENTS", 5)
    seen = [listing(athena, "inboxmessages", f"?limit=3&offset={offset}") for offset in (0, 1, 3, 0)]
    assert [len(page["messages"]) for page in seen] == [3, 3, 3, 3]
    assert seen[3] == seen[0]


def test_previous_past_the_end_steps_back_from_the_offset_asked(athena_ro: Api) -> None:
    offset = 10**20
    page = listing(athena_ro, "inboxmessages", f"?limit=7&offset={offset}")
    assert page["messages"] == [] and "next" not in page
    assert page["previous"].endswith(f"limit=7&offset={offset - 7}")
