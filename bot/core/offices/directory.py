"""The office directory: every branch of every office, and routing to the nearest one.

Branches live in ``branches/<office>.yml`` of the pack (docs/office-directory.md).
A staff member changes a branch's hours or address there, and every answer
that routes to it shows the change on the next message: nothing is retrained.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from bot.core.offices.holidays import Calendar
from bot.core.offices.hours import WeeklyHours
from bot.core.offices.places import City, distance_km, load_cities, load_word_list
from bot.core.urls import is_https_url
from bot.core.yaml_fast import safe_load


@dataclass(frozen=True)
class Branch:
    """One customer service point of an office."""

    id: str
    office: str
    city: str
    name: dict[str, str]
    coordinates: tuple[float, float]
    address: str | None = None
    #: per language, e.g. "6th entrance"; ``address`` stays a plain street address (a map search uses it)
    address_note: dict[str, str] = field(default_factory=dict)
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    booking: str | None = None
    hours: WeeklyHours | None = None
    topics: tuple[str, ...] | None = None
    accessibility: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    reviewed: date | None = None

    def handles(self, topic: str | None) -> bool:
        """True when the branch deals with ``topic`` (every topic of its office unless listed)."""
        return topic is None or self.topics is None or topic in self.topics

    def name_in(self, lang: str) -> str:
        """The branch's name in ``lang`` (English otherwise)."""
        return self.name.get(lang) or self.name.get("en") or self.id

    def address_note_in(self, lang: str) -> str | None:
        """The note on the address in ``lang``; None rather than another language's."""
        return self.address_note.get(lang)


@dataclass(frozen=True)
class Route:
    """The branch chosen for a user, and how far it is from their city."""

    branch: Branch
    distance_km: float
    in_city: bool


@dataclass
class Directory:
    """All branches and places of a pack."""

    branches: list[Branch]
    cities: dict[str, City]
    not_places: tuple[str, ...] = ()
    abroad_forms: tuple[str, ...] = ()
    #: offices whose branches serve only their own city (a town's local
    #: government is not the next town's): no "nearest" one elsewhere
    local_offices: frozenset[str] = frozenset()

    def branches_of(self, office: str, topic: str | None = None) -> list[Branch]:
        """The branches of ``office`` that handle ``topic``."""
        return [b for b in self.branches if b.office == office and b.handles(topic)]

    def route(self, office: str, city: str | None, topic: str | None = None) -> Route | None:
        """The branch of ``office`` nearest to ``city`` that handles ``topic``.

        With no city, an office with a single branch still has an answer; one
        with several has none (the caller asks for the city). A local office
        (``local: true`` in its branches file) routes only to the branch in
        the user's own city.
        """
        candidates = self.branches_of(office, topic)
        if not candidates:
            return None
        if city not in self.cities:
            return Route(candidates[0], 0.0, False) if len(candidates) == 1 and office not in self.local_offices else None
        if office in self.local_offices:
            candidates = [b for b in candidates if b.city == city]
            if not candidates:
                return None
        here = self.cities[city].coordinates
        nearest = min(candidates, key=lambda b: (b.city != city, distance_km(here, b.coordinates)))
        return Route(nearest, round(distance_km(here, nearest.coordinates), 1), nearest.city == city)

    def needs_city(self, office: str, topic: str | None = None) -> bool:
        """True when the answer depends on where the user is (several branches)."""
        return len({b.city for b in self.branches_of(office, topic)}) > 1


def _branch(raw: dict[str, Any], office: str, calendar: Calendar, where: str, problems: list[str]) -> Branch | None:
    try:
        hours = WeeklyHours.parse(raw["hours"], calendar) if raw.get("hours") else None
        reviewed = raw.get("reviewed")
        return Branch(
            id=str(raw["id"]),
            office=office,
            city=str(raw["city"]),
            name={str(k): str(v) for k, v in (raw.get("name") or {}).items()},
            coordinates=(float(raw["coordinates"][0]), float(raw["coordinates"][1])),
            address=raw.get("address"),
            address_note={str(k): str(v) for k, v in (raw.get("address_note") or {}).items()},
            phone=str(raw["phone"]) if raw.get("phone") else None,
            email=raw.get("email"),
            website=raw.get("website"),
            booking=raw.get("booking"),
            hours=hours,
            topics=tuple(raw["topics"]) if raw.get("topics") else None,
            accessibility={str(k): str(v) for k, v in (raw.get("accessibility") or {}).items()},
            sources=tuple(raw.get("sources") or ()),
            reviewed=reviewed if isinstance(reviewed, date) else date.fromisoformat(str(reviewed)) if reviewed else None,
        )
    except (KeyError, TypeError, ValueError, IndexError) as error:
        problems.append(f"{where}: branch {raw.get('id', '?')!r}: {error}")
        return None


def load_directory(
    pack_dir: Path, office_ids: set[str], topic_ids: set[str], calendar: Calendar | None = None
) -> tuple[Directory, list[str]]:
    """Reads cities and branches; returns the directory and every problem found.

    ``calendar``: the time zone and days off of the branches' hours (the pack's ``settings``).
    """
    problems: list[str] = []
    cities_file = pack_dir / "cities.yml"
    cities = {c.id: c for c in load_cities(cities_file)} if cities_file.exists() else {}
    not_places = load_word_list(cities_file, "not_places") if cities_file.exists() else ()
    abroad_forms = load_word_list(cities_file, "abroad_forms") if cities_file.exists() else ()
    calendar = calendar or Calendar()
    if (pack_dir / "holidays.yml").exists():
        problems.append("holidays.yml: extra days off are now pack.yml's settings.holidays.extra_days_off (docs/packs.md); move them there")
    branches: list[Branch] = []
    local_offices: set[str] = set()
    for path in sorted((pack_dir / "branches").glob("*.yml")):
        where = f"branches/{path.name}"
        try:
            data = safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            problems.append(f"{where}: cannot be read: {error}")
            continue
        office = str(data.get("office", path.stem))
        if office not in office_ids:
            problems.append(f"{where}: office '{office}' does not exist in offices.yml")
        if data.get("local") is True:
            local_offices.add(office)
        elif data.get("local") not in (None, False):
            problems.append(f"{where}: 'local' must be true or false")
        for raw in data.get("branches") or []:
            branch = _branch(raw, office, calendar, where, problems) if isinstance(raw, dict) else None
            if branch is None:
                continue
            for key in ("website", "booking"):
                value = getattr(branch, key)
                if value and not is_https_url(str(value)):
                    problems.append(f"{where}: branch '{branch.id}': {key} {value!r} is not a valid https:// address")
            if branch.city not in cities:
                problems.append(f"{where}: branch '{branch.id}': city '{branch.city}' is not in cities.yml")
            for topic in branch.topics or ():
                if topic not in topic_ids:
                    problems.append(f"{where}: branch '{branch.id}': topic '{topic}' does not exist")
            branches.append(branch)
    ids = [b.id for b in branches]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        problems.append(f"branch id '{duplicate}' is used twice")
    directory = Directory(
        branches=branches, cities=cities, not_places=not_places, abroad_forms=abroad_forms, local_offices=frozenset(local_offices)
    )
    return directory, problems
