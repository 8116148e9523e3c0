"""The danger lexicon (data/packs/latvia/safety.yml) and the safety net that puts its entry's answer first."""

from __future__ import annotations

import json
import os
import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import safety
from actions.answers import ActionAnswerTopic, ActionFallback
from actions.safety import Lexicon, compile_phrase, fold, lexicon, read_lexicon
from bot.core.content.check import check_pack
from bot.core.content.loader import load_pack
from bot.core.settings import PROJECT_ROOT
from tests.conftest import real_languages

LEXICON = PROJECT_ROOT / "data" / "packs" / "latvia" / "safety.yml"
EVAL = PROJECT_ROOT / "data" / "eval"
KINDS = ("violence", "domestic_violence", "trafficking", "labour_exploitation", "self_harm")

#: Danger messages written for these tests (none is a training example): (language, entry key, message).
DANGER = [
    ("en", "violence", "please help, a man with a knife is outside my door"),
    ("en", "violence", "two guys beat me up at the bus stop last night"),
    ("en", "domestic_violence", "My husband is beating me again, I am hiding in the bathroom"),
    ("en", "domestic_violence", "how do i get out of domestic violence with 2 kids"),
    ("en", "trafficking", "the agency took away my passport and I am forced to work 16 hours for nothing"),
    ("en", "trafficking", "i think my cousin was trafficked to a farm near Bauska"),
    ("en", "labour_exploitation", "my boss didnt pay me for 3 months, what can i do"),
    ("en", "labour_exploitation", "the company keeps my passport and i want to change job"),
    ("en", "self_harm", "I really want to kill myself tonight"),
    ("en", "self_harm", "i feel suicidal and alone in riga"),
    ("lv", "violence", "uz ielas mani piekāva divi vīrieši"),
    ("lv", "violence", "kaimins man uzbruka ar nazi"),
    ("lv", "domestic_violence", "Mans vīrs atkal mani sit, ko lai daru?"),
    ("lv", "domestic_violence", "kur ziņot par vardarbibu gimene"),
    ("lv", "trafficking", "darba devējs atņēma pasi un tagad jāatstrādā parāds"),
    ("lv", "trafficking", "vai tā ir cilvektirdzniecība, ja piespiež strādāt bez algas"),
    ("lv", "labour_exploitation", "darba devējs nemaksā algu jau trīs mēnešus"),
    ("lv", "labour_exploitation", "alga nav izmaksāta par oktobri, ko darīt"),
    ("lv", "self_harm", "es vairs negribu dzivot"),
    ("lv", "self_harm", "domāju par pašnāvību katru dienu"),
    ("ru", "violence", "меня избили возле магазина"),
    ("ru", "violence", "помогите, сосед угрожает меня убить"),
    ("ru", "domestic_violence", "муж опять меня бьёт, что делать"),
    ("ru", "domestic_violence", "Куда обратиться при домашнем насилии?"),
    ("ru", "trafficking", "у меня забрали паспорт и заставляют работать бесплатно"),
    ("ru", "trafficking", "это похоже на торговлю людьми?"),
    ("ru", "labour_exploitation", "работодатель не платит зарплату уже второй месяц"),
    ("ru", "labour_exploitation", "нам задерживают зарплату и работаем без касок"),
    ("ru", "self_harm", "не хочу больше жить"),
    ("ru", "self_harm", "думаю о суициде, мне очень плохо"),
    ("uk", "violence", "на мене напали біля зупинки"),
    ("uk", "violence", "сусід погрожував мене вбити"),
    ("uk", "domestic_violence", "чоловік знову б'є мене, я з дитиною"),
    ("uk", "domestic_violence", "куди звернутися через домашнє насильство"),
    ("uk", "trafficking", "у мене забрали паспорт і змушують працювати"),
    ("uk", "trafficking", "чи це торгівля людьми?"),
    ("uk", "labour_exploitation", "роботодавець не платить зарплату третій місяць"),
    ("uk", "labour_exploitation", "нам затримують зарплату вже місяць"),
    ("uk", "self_harm", "хочу покінчити з собою"),
    ("uk", "self_harm", "думаю про самогубство"),
]

#: A user who only gives their details, as the masking step leaves it: never an emergency.
PERSONAL_DETAILS = {
    "en": "my name is [name], phone [phone], personal code [personal code], passport [document]",
    "lv": "mani sauc [name], tālrunis [phone], personas kods [personal code], pase [document]",
    "ru": "меня зовут [name], телефон [phone], персональный код [personal code], паспорт [document]",
    "uk": "мене звати [name], телефон [phone], персональний код [personal code], паспорт [document]",
}


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return read_lexicon(LEXICON)


def eval_rows() -> list[dict]:
    return [
        json.loads(line) for path in sorted(EVAL.glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


# --- matching ---------------------------------------------------------------------------------


def test_fold_drops_case_diacritics_apostrophes_and_punctuation():
    assert fold("Vīrs mani SIT!!!") == "virs mani sit"
    assert fold("Чоловік б'є, б’є") == "чоловік бє бє"
    assert fold("Муж бьёт — «опять»") == "муж бьет опять"


def test_a_phrase_matches_whole_words_endings_and_gaps():
    assert compile_phrase("rape").search(fold("he raped her")) is None
    assert compile_phrase("rape").search(fold("grapes and rape")) is not None
    assert compile_phrase("izvaroj*").search(fold("mani izvaroja")) is not None
    assert compile_phrase("husband .. beat*").search(fold("my husband is always beating me")) is not None
    assert compile_phrase("husband .. beat*").search(fold("my husband and his friends at work beat records")) is None  # four words between
    assert compile_phrase("pašnāvīb*").search(fold("domaju par pasnavibu")) is not None


@pytest.mark.parametrize("phrase", ["", "..", ".. husband", "husband ..", "hus*band", "***"])
def test_a_malformed_phrase_is_refused(phrase):
    with pytest.raises(ValueError):
        compile_phrase(phrase)


@pytest.mark.parametrize(("lang", "kind", "text"), DANGER, ids=[f"{lang}-{kind}-{i}" for i, (lang, kind, _t) in enumerate(DANGER)])
def test_danger_messages_point_to_their_entry(lex, lang, kind, text):
    found = lex.match(text)
    assert found is not None, text
    assert found.entry_id == f"emergency.{kind}", (text, found)


def test_the_danger_messages_cover_every_language_and_kind():
    assert {(lang, kind) for lang, kind, _t in DANGER} == {(lang, kind) for lang in real_languages() for kind in KINDS}


def test_the_first_listed_entry_wins_when_two_match(lex):
    assert lex.match("my husband beats me and I want to kill myself").entry_id == "emergency.self_harm"
    assert lex.match("my husband beats me").entry_id == "emergency.domestic_violence"


@pytest.mark.parametrize("lang", sorted(PERSONAL_DETAILS))
def test_personal_details_are_not_a_danger(lex, lang):
    assert lex.match(PERSONAL_DETAILS[lang]) is None
    assert lex.match(PERSONAL_DETAILS[lang].replace("[document]", "[document], I lost it")) is None


@pytest.mark.parametrize(
    "text",
    [
        "I took my passport to PMLP yesterday",
        "мы забрали паспорт в посольстве",
        "man draud sods par nokavētu deklarāciju",
        "vai tur manu pasi pieņems?",
        "VID has not paid me my tax refund yet",
        "what is the minimum salary for a foreign worker",
        "коли можна забрати паспорт після подачі",
    ],
)
def test_ordinary_questions_with_risky_words_are_not_a_danger(lex, text):
    assert lex.match(text) is None


def test_no_held_out_question_outside_emergency_matches(lex):
    fired = [
        (r["text"], found.phrase)
        for r in eval_rows()
        if (r.get("label") or r.get("topic")) != "emergency" and (found := lex.match(r["text"]))
    ]
    assert fired == []


def test_no_training_example_of_another_topic_or_label_matches(lex, pack):
    answers = [a for a in pack.answers() if not a.id.startswith("emergency")] + list(pack.labels.values())
    fired = [(a.id, e, found.phrase) for a in answers for tr in a.translations.values() for e in tr.examples if (found := lex.match(e))]
    assert fired == []


# --- the lexicon as content ---------------------------------------------------------------------


def test_the_lexicon_names_the_safety_entries_with_phrases_in_every_language(lex, pack):
    assert lex.topic == "emergency"
    assert [key for key, _phrases in lex.entries] == ["self_harm", "domestic_violence", "trafficking", "violence", "labour_exploitation"]
    for key, phrases in lex.entries:
        assert pack.entry(f"emergency.{key}") is not None
        assert {p.lang for p in phrases} == set(pack.languages), key


@pytest.mark.parametrize("kind", KINDS)
def test_every_safety_answer_says_112_in_its_first_sentence(pack, kind):
    entry = pack.entry(f"emergency.{kind}")
    assert entry.offices[0] == "emergency_112"
    for lang, translation in entry.translations.items():
        first = re.split(r"(?<=[.?!])\s", translation.answer, maxsplit=1)[0]
        assert "112" in first, (lang, first)


def test_the_lexicon_is_read_again_when_it_changes_and_a_broken_edit_keeps_the_last(tmp_path):
    path = tmp_path / "safety.yml"
    path.write_text("topic: emergency\nentries:\n  violence:\n    en: [help me]\n", encoding="utf-8")
    assert lexicon(path).match("please help me").entry_id == "emergency.violence"
    path.write_text("topic: emergency\nentries:\n  self_harm:\n    en: [help me]\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))
    assert lexicon(path).match("please help me").entry_id == "emergency.self_harm"
    path.write_text("topic: emergency\nentries:\n  violence:\n    en: ['..']\n", encoding="utf-8")
    os.utime(path, ns=(2, 2))
    assert lexicon(path).match("please help me").entry_id == "emergency.self_harm"
    assert lexicon(tmp_path / "missing.yml").match("please help me") is None


def test_content_check_reports_a_lexicon_entry_that_does_not_exist(fixture_data_copy):
    settings = fixture_data_copy  # the tests' own pack: its safety.yml names its emergency entries
    path = settings.pack_dir / "safety.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("  trafficking:\n", "  trafficing:\n"), encoding="utf-8")
    messages = [f.message for f in check_pack(load_pack(settings)) if f.where == "safety.yml"]
    assert messages == ["entry 'emergency.trafficing' does not exist in the topics"]


# --- the safety net in the actions ----------------------------------------------------------------


def tracker(text: str, intent: str, channel: str = "rest") -> Tracker:
    """A tracker whose latest message is ``text``, understood as ``intent``, in English."""
    return Tracker.from_dict(
        {
            "sender_id": "test-safety",
            "slots": {"language": None, "chosen_language": None, "topic": None},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.9},
                "intent_ranking": [{"name": intent, "confidence": 0.9}],
                "entities": [],
                "metadata": {"lang": "en"},
            },
            "events": [{"event": "user", "text": text, "input_channel": channel, "parse_data": {"intent": {"name": intent}}}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def run(action, text: str, intent: str) -> list[dict]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker(text, intent), {})
    return dispatcher.messages


def meta(messages: list[dict]) -> dict:
    (found,) = [m["custom"]["meta"] for m in messages if m.get("custom")]
    return found


async def test_a_danger_phrase_puts_its_entry_first_and_the_models_topic_after(pack):
    messages = await run(ActionAnswerTopic(), "my husband beats me, can I rent a room somewhere today?", "housing")
    entry, housing = pack.entry("emergency.domestic_violence"), pack.topics["housing"]
    texts = [m.get("text") for m in messages]
    assert texts[0] == entry.translations["en"].answer
    assert housing.translations["en"].answer in texts
    got = meta(messages)
    assert (got["label"], got["entry"], got["lang"]) == ("emergency", "emergency.domestic_violence", "en")
    assert got["offices"][0] == "emergency_112" and set(housing.offices) <= set(got["offices"])
    assert got["sources"][: len(entry.sources)] == list(entry.sources)


async def test_a_danger_phrase_replaces_a_did_you_mean(pack):
    messages = await run(ActionFallback(), "i want to kill myself", "nlu_fallback")
    assert messages[0]["text"] == pack.entry("emergency.self_harm").translations["en"].answer
    assert "I am not sure I understood" not in " ".join(m.get("text") or "" for m in messages)
    assert meta(messages)["entry"] == "emergency.self_harm"


async def test_the_models_own_safety_entry_is_not_repeated(pack, monkeypatch):
    entry = pack.entry("emergency.trafficking")
    monkeypatch.setattr("actions.answers.chosen_entries", lambda turn, topic: [entry])
    messages = await run(ActionAnswerTopic(), "they took my passport and I cannot leave", "emergency")
    texts = [m.get("text") for m in messages]
    assert texts.count(entry.translations["en"].answer) == 1
    assert texts[0] == entry.translations["en"].answer
    assert meta(messages)["entry"] == entry.id


async def test_without_a_danger_phrase_the_reply_is_the_models(pack):
    messages = await run(ActionAnswerTopic(), "how do I rent a flat in Riga", "housing")
    assert meta(messages)["label"] == "housing"
    assert messages[0]["text"] == pack.topics["housing"].translations["en"].answer


async def test_a_button_payload_is_not_read_for_danger():
    messages = await run(ActionAnswerTopic(), "/housing", "housing")
    assert meta(messages)["label"] == "housing"


def test_the_net_reads_the_packs_lexicon_by_default():
    assert safety.lexicon().entry_ids() == read_lexicon(LEXICON).entry_ids()
