"""Reads a content pack from YAML and checks its structure.

Structural problems (bad YAML, a missing field, an office id that does not
exist, a malformed URL) stop loading with every problem listed, file by file,
so that a staff member sees all of them at once.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.core.content.model import (
    CONVERSATION_LABELS,
    ENTRY_SEPARATOR,
    OVERVIEW_KEY,
    PACK_TEXTS,
    Answer,
    Entry,
    Label,
    Language,
    Office,
    Pack,
    PackSettings,
    PersonalCode,
    Topic,
    Translation,
)
from bot.core.offices.directory import load_directory
from bot.core.offices.holidays import Calendar, holiday_problems, time_zone_problems
from bot.core.plan.check import structural_problems as plan_structure_problems
from bot.core.plan.loader import load_plan
from bot.core.settings import Settings, load_settings
from bot.core.urls import HTTPS_URL
from bot.core.yaml_fast import safe_load

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_URL = HTTPS_URL


class ContentError(ValueError):
    """The content pack cannot be loaded; ``problems`` says why, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: Path | str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _read_yaml(path: Path, problems: _Problems) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            data = safe_load(handle)
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
        problems.add(path, f"cannot be read: {error}")
        return {}
    if not isinstance(data, dict):
        problems.add(path, "must be a YAML mapping (key: value lines)")
        return {}
    return data


def _strings(value: Any, path: Path | str, field: str, problems: _Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        problems.add(path, f"'{field}' must be a list of texts")
        return ()
    return tuple(str(v).strip() for v in value if str(v).strip())


def _date(value: Any, path: Path | str, problems: _Problems) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        problems.add(path, f"'reviewed' must be a date like 2026-11-22, not {value!r}")
        return date.min


def _urls(value: Any, path: Path | str, problems: _Problems) -> tuple[str, ...]:
    urls = _strings(value, path, "sources", problems)
    for url in urls:
        if not _URL.match(url):
            problems.add(path, f"source {url!r} is not a valid https:// address")
    return urls


def _translation(raw: Any, path: Path | str, lang: str, problems: _Problems) -> Translation:
    if not isinstance(raw, dict):
        problems.add(path, f"translation '{lang}' must be a mapping")
        return Translation(examples=())
    text_fields = {}
    for key in ("title", "answer", "translated_from"):
        value = raw.get(key)
        if value is not None and not isinstance(value, (str, int)):
            hint = " (put it in quotes: an unquoted 5e432802 reads as a number)" if key == "translated_from" else ""
            problems.add(path, f"'{lang}.{key}' must be text{hint}")
            value = None
        text_fields[key] = str(value).strip() if value is not None else None
    return Translation(
        examples=_strings(raw.get("examples"), path, f"{lang}.examples", problems),
        **text_fields,
    )


def _translations(raw: Any, path: Path | str, languages: dict[str, Language], problems: _Problems) -> dict[str, Translation]:
    if not isinstance(raw, dict):
        problems.add(path, "'translations' must map language codes to their text")
        return {}
    result = {}
    for lang, value in raw.items():
        if lang not in languages:
            problems.add(path, f"language '{lang}' is not in data/languages.yml")
            continue
        result[lang] = _translation(value, path, lang, problems)
    return result


def load_languages(path: Path, problems: _Problems) -> tuple[dict[str, Language], str]:
    """Reads ``data/languages.yml``."""
    data = _read_yaml(path, problems)
    languages = {}
    for entry in data.get("languages") or []:
        if not isinstance(entry, dict) or not entry.get("code"):
            problems.add(path, f"language entry {entry!r} needs at least a code")
            continue
        code = str(entry["code"])
        direction = str(entry.get("direction", "ltr"))
        if direction not in ("ltr", "rtl"):
            problems.add(path, f"language '{code}': direction must be ltr or rtl")
        languages[code] = Language(
            code=code,
            name=str(entry.get("name", code)),
            direction=direction,
            script=str(entry.get("script", "Latin")),
            unique_letters=str(entry.get("unique_letters") or ""),
            aliases=tuple(str(a).lower() for a in entry.get("aliases") or ()),
        )
    default = str(data.get("default", "en"))
    if languages and default not in languages:
        problems.add(path, f"default language '{default}' is not listed")
    return languages, default


def _load_entries(
    raw: Any, topic: str, path: Path, languages: dict[str, Language], problems: _Problems, defaults: dict[str, Any]
) -> dict[str, Entry]:
    """A topic's knowledge-base entries; each inherits the topic's offices when it names none."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add(path, "'entries' must map entry keys (like fee) to their content")
        return {}
    entries = {}
    for key, data in raw.items():
        key = str(key)
        where = f"{path} (entry {key})"
        if not _ID.match(key) or key == OVERVIEW_KEY:
            problems.add(where, f"entry keys use lowercase letters, digits and _ only, and '{OVERVIEW_KEY}' is the topic's own")
            continue
        if not isinstance(data, dict):
            problems.add(where, "an entry must be a mapping with offices, reviewed, sources and translations")
            continue
        offices = _strings(data.get("offices"), where, "offices", problems) if "offices" in data else defaults["offices"]
        entries[key] = Entry(
            id=f"{topic}{ENTRY_SEPARATOR}{key}",
            offices=offices,
            reviewed=_date(data.get("reviewed"), where, problems),
            sources=_urls(data.get("sources"), where, problems),
            source_language=defaults["source_language"],
            translations=_translations(data.get("translations"), where, languages, problems),
            topic=topic,
            key=key,
        )
    return entries


def _load_topic(path: Path, languages: dict[str, Language], problems: _Problems) -> Topic | None:
    data = _read_yaml(path, problems)
    if not data:
        return None
    topic_id = str(data.get("id", ""))
    if topic_id != path.stem:
        problems.add(path, f"'id' must be '{path.stem}' (the file name), not {topic_id!r}")
    source_language = str(data.get("source_language", "en"))
    if source_language not in languages:
        problems.add(path, f"source_language '{source_language}' is not a known language")
    offices = _strings(data.get("offices"), path, "offices", problems)
    defaults = {"offices": offices, "source_language": source_language}
    return Topic(
        id=path.stem,
        offices=offices,
        reviewed=_date(data.get("reviewed"), path, problems),
        sources=_urls(data.get("sources"), path, problems),
        source_language=source_language,
        translations=_translations(data.get("translations"), path, languages, problems),
        entries=_load_entries(data.get("entries"), path.stem, path, languages, problems, defaults),
    )


def _load_label(path: Path, languages: dict[str, Language], problems: _Problems) -> Label | None:
    data = _read_yaml(path, problems)
    if not data:
        return None
    if path.stem not in CONVERSATION_LABELS:
        problems.add(path, f"'{path.stem}' is not a conversation label ({', '.join(CONVERSATION_LABELS)})")
    return Label(id=path.stem, translations=_translations(data.get("translations"), path, languages, problems))


def _load_offices(path: Path, problems: _Problems) -> dict[str, Office]:
    data = _read_yaml(path, problems)
    offices = {}
    for office_id, raw in (data.get("offices") or {}).items():
        if not isinstance(raw, dict):
            problems.add(path, f"office '{office_id}' must be a mapping")
            continue
        name = raw.get("name") or {}
        if not isinstance(name, dict) or not name:
            problems.add(path, f"office '{office_id}' needs a name per language")
            name = {}
        website = raw.get("website")
        if website and not _URL.match(str(website)):
            problems.add(path, f"office '{office_id}': website {website!r} is not a valid https:// address")
        note = raw.get("address_note") or {}
        if not isinstance(note, dict):
            problems.add(path, f"office '{office_id}': 'address_note' must map language codes to the note")
            note = {}
        offices[office_id] = Office(
            id=office_id,
            name={str(k): str(v) for k, v in name.items()},
            # no short (or "short: ''"): an office without an abbreviation, shown by its name alone (a town's local government)
            short=str(raw.get("short") or ""),
            aliases=tuple(a.lower() for a in _strings(raw.get("aliases"), path, "aliases", problems)),
            website=str(website) if website else None,
            phone=str(raw["phone"]) if raw.get("phone") else None,
            email=str(raw["email"]) if raw.get("email") else None,
            address=str(raw["address"]) if raw.get("address") else None,
            address_note={str(k): str(v) for k, v in note.items()},
            sources=_urls(raw.get("sources"), path, problems),
            reviewed=_date(raw["reviewed"], path, problems) if raw.get("reviewed") else None,
        )
    return offices


_SETTINGS = ("time_zone", "holidays", "consular_office", "personal_code")
_HOLIDAY_KEYS = ("country", "subdivision", "extra_days_off")
_PERSONAL_CODE_KEYS = ("pattern", "after_cue")


def _unknown_keys(raw: dict[str, Any], known: tuple[str, ...], where: str, problems: _Problems) -> None:
    for key in raw:
        if key not in known:
            problems.add("pack.yml", f"{where}: unknown setting {key!r}; the settings are {', '.join(known)}")


def _calendar(raw: dict[str, Any], problems: _Problems) -> Calendar:
    time_zone = raw.get("time_zone")
    if not isinstance(time_zone, str) or not time_zone.strip():
        problems.add("pack.yml", "settings.time_zone is missing: the IANA time zone of the offices' hours, such as Europe/Riga")
        time_zone = "UTC"
    for problem in time_zone_problems(time_zone.strip()):
        problems.add("pack.yml", f"settings.{problem}")
        time_zone = "UTC"
    rules = raw.get("holidays")
    if rules is None:
        return Calendar(time_zone=time_zone.strip())
    if not isinstance(rules, dict):
        problems.add("pack.yml", "settings.holidays must be a mapping with country, and optionally subdivision and extra_days_off")
        return Calendar(time_zone=time_zone.strip())
    _unknown_keys(rules, _HOLIDAY_KEYS, "settings.holidays", problems)
    country = rules.get("country")
    subdivision = rules.get("subdivision")
    if not isinstance(country, str) or not country.strip():
        problems.add("pack.yml", "settings.holidays.country is missing: the ISO 3166 code of the country, such as LV")
        country = None
    elif found := holiday_problems(country.strip(), str(subdivision) if subdivision is not None else None):
        problems.items.extend(f"pack.yml: settings.holidays: {p}" for p in found)
        country = None
    extra = []
    raw_days = rules.get("extra_days_off") or []
    if not isinstance(raw_days, list):
        problems.add("pack.yml", "settings.holidays.extra_days_off must be a list of dates like 2026-06-22")
        raw_days = []
    for value in raw_days:
        try:
            extra.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            problems.add("pack.yml", f"settings.holidays.extra_days_off: {value!r} is not a date like 2026-06-22")
    return Calendar(
        time_zone=time_zone.strip(),
        country=country.strip() if country else None,
        subdivision=str(subdivision) if subdivision is not None and country else None,
        extra_days_off=tuple(sorted(set(extra))),
    )


def _personal_code(raw: Any, problems: _Problems) -> PersonalCode | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.add("pack.yml", "settings.personal_code must be a mapping with pattern and after_cue (regular expressions)")
        return None
    _unknown_keys(raw, _PERSONAL_CODE_KEYS, "settings.personal_code", problems)
    found = {}
    for key in _PERSONAL_CODE_KEYS:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.add("pack.yml", f"settings.personal_code.{key} is missing: a regular expression (put it in single quotes)")
            continue
        try:
            re.compile(value if key == "pattern" else f"(?P<code>{value})")
        except re.error as error:
            problems.add("pack.yml", f"settings.personal_code.{key} is not a valid regular expression: {error}")
            continue
        found[key] = value
    return PersonalCode(**found) if len(found) == len(_PERSONAL_CODE_KEYS) else None


def _texts(raw: Any, languages: dict[str, Language] | None, problems: _Problems) -> dict[str, dict[str, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.add("pack.yml", f"'texts' must map text keys ({', '.join(PACK_TEXTS)}) to their text per language")
        return {}
    texts: dict[str, dict[str, str]] = {}
    for key, per_language in raw.items():
        if key not in PACK_TEXTS:
            problems.add("pack.yml", f"texts: unknown text {key!r}; the texts are {', '.join(PACK_TEXTS)}")
            continue
        if not isinstance(per_language, dict) or not all(isinstance(v, str) for v in per_language.values()):
            problems.add("pack.yml", f"texts.{key} must map language codes to the text")
            continue
        for lang in per_language:
            if languages is not None and lang not in languages:
                problems.add("pack.yml", f"texts.{key}: language '{lang}' is not in data/languages.yml")
        texts[str(key)] = {str(lang): text.strip() for lang, text in per_language.items() if text.strip()}
    return texts


def read_pack_settings(meta: dict[str, Any], problems: _Problems, languages: dict[str, Language] | None = None) -> PackSettings:
    """The ``settings`` and ``texts`` of a read ``pack.yml``, every problem added to ``problems``."""
    raw = meta.get("settings")
    if not isinstance(raw, dict):
        problems.add("pack.yml", "'settings' is missing or not a mapping: it needs at least time_zone (docs/packs.md)")
        raw = {}
    _unknown_keys(raw, _SETTINGS, "settings", problems)
    consular = raw.get("consular_office")
    if consular is not None and not (isinstance(consular, str) and _ID.match(consular)):
        problems.add("pack.yml", f"settings.consular_office must be an office id of offices.yml, not {consular!r}")
        consular = None
    return PackSettings(
        calendar=_calendar(raw, problems),
        consular_office=consular,
        personal_code=_personal_code(raw.get("personal_code"), problems),
        texts=_texts(meta.get("texts"), languages, problems),
    )


def load_pack_settings(settings: Settings | None = None) -> PackSettings:
    """Only the configured pack's settings (``pack.yml``), without reading its topics: quick, for a process that needs no more.

    The staff app's time zone, say (``load_pack_settings().time_zone``).

    Raises:
        ContentError: when ``pack.yml`` or its settings cannot be used.
    """
    settings = settings or load_settings()
    problems = _Problems()
    pack_settings = read_pack_settings(_read_yaml(settings.pack_dir / "pack.yml", problems), problems)
    if problems.items:
        raise ContentError(problems.items)
    return pack_settings


def answer_file(answer: Answer) -> str:
    """Where staff find an answer: ``topics/<topic>.yml``, with the entry key for an entry."""
    if isinstance(answer, Entry):
        return f"topics/{answer.topic}.yml (entry {answer.key})"
    return f"topics/{answer.id}.yml"


def _check_references(pack: Pack, problems: _Problems) -> None:
    for answer in pack.answers():
        for office_id in answer.offices:
            if office_id not in pack.offices:
                problems.add(answer_file(answer), f"office '{office_id}' does not exist in offices.yml")
    for topic_id in pack.menu:
        if topic_id not in pack.topics:
            problems.add("pack.yml", f"menu topic '{topic_id}' does not exist")
    if pack.general_office not in pack.offices:
        problems.add("pack.yml", f"general_office '{pack.general_office}' does not exist")
    consular = pack.settings.consular_office
    if consular is not None and consular not in pack.offices:
        problems.add("pack.yml", f"settings.consular_office '{consular}' does not exist in offices.yml")
    for name in [*pack.topics, *pack.labels]:
        if not _ID.match(name):
            problems.add(name, "ids use lowercase letters, digits and _ only")


def load_pack(settings: Settings | None = None) -> Pack:
    """Loads and structurally checks the configured content pack.

    Raises:
        ContentError: with every problem found, when the pack cannot be used.
    """
    settings = settings or load_settings()
    problems = _Problems()
    languages, default_language = load_languages(settings.languages_file, problems)
    pack_dir = settings.pack_dir
    meta = _read_yaml(pack_dir / "pack.yml", problems)
    topic_files = sorted((pack_dir / "topics").glob("*.yml"))
    label_files = sorted((pack_dir / "labels").glob("*.yml"))
    topics = {t.id: t for t in (_load_topic(p, languages, problems) for p in topic_files) if t}
    labels = {lb.id: lb for lb in (_load_label(p, languages, problems) for p in label_files) if lb}
    offices = _load_offices(pack_dir / "offices.yml", problems)
    pack_settings = read_pack_settings(meta, problems, languages)
    directory, directory_problems = load_directory(pack_dir, set(offices), set(topics), pack_settings.calendar)
    problems.items.extend(directory_problems)
    # the personal plan of the move: optional, off when the pack has no plan.yml
    plan_file = pack_dir / "plan.yml"
    plan, plan_problems = load_plan(plan_file, languages) if plan_file.exists() else (None, [])
    problems.items.extend(plan_problems)
    pack = Pack(
        id=str(meta.get("id", settings.pack)),
        name=str(meta.get("name", settings.pack)),
        languages=languages,
        default_language=default_language,
        menu=_strings(meta.get("menu"), pack_dir / "pack.yml", "menu", problems),
        general_office=str(meta.get("general_office", "")),
        topics=topics,
        labels=labels,
        offices=offices,
        directory=directory,
        files=tuple(str(p) for p in [*topic_files, *label_files]),
        plan=plan,
        settings=pack_settings,
    )
    _check_references(pack, problems)
    problems.items.extend(plan_structure_problems(pack))
    if problems.items:
        raise ContentError(problems.items)
    return pack
