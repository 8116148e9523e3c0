"""The action server keeps its language detector and place resolver across answer-only content changes."""

from __future__ import annotations

import dataclasses

from actions.services import Services
from bot.core.content.model import Pack, Translation


class _Store:
    def __init__(self, pack: Pack) -> None:
        self.current = pack

    def pack(self) -> Pack:
        return self.current

    def settle(self) -> None:
        pass


def _with_lv(pack: Pack, topic_id: str, **changes: object) -> Pack:
    topic = pack.topics[topic_id]
    translations = {**topic.translations, "lv": dataclasses.replace(topic.translations["lv"], **changes)}
    topics = {**pack.topics, topic_id: dataclasses.replace(topic, translations=translations)}
    return dataclasses.replace(pack, topics=topics)


def test_an_answer_change_keeps_the_detector_and_places_a_new_example_rebuilds_the_detector(fixture_pack):
    pack = fixture_pack
    store = _Store(pack)
    services = Services(store=store)  # type: ignore[arg-type]
    detector, places = services.detector(), services.places()
    store.current = _with_lv(pack, "taxes", answer="Jauna atbilde.")
    assert services.pack() is not pack
    assert services.detector() is detector and services.places() is places
    lv: Translation = pack.topics["taxes"].translations["lv"]
    store.current = _with_lv(pack, "taxes", examples=(*lv.examples, "pavisam jauns jautājums par nodokļiem"))
    assert services.detector() is detector  # the new one is built in the background; nobody waits for it
    services.settle()
    assert services.detector() is not detector and services.places() is places
