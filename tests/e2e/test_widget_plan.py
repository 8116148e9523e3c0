"""A personal plan for the move as a checklist in the web widget (issue 21), against scripted replies.

The assistant answers "plan" with a short summary and one custom message
carrying ``plan`` (docs/widget.md): the widget shows it below the summary as
a checklist, a heading per phase and a labelled checkbox per step. The ticks
stay in this browser (``localStorage["migrant-plan:<key>"]``), come back after
a reload and are never sent. Screenshots: tests/screenshots/plan-*.png.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Route, expect

from bot.rasa_server.widget.strings import widget_strings
from tests.e2e.scripted_assistant import ScriptedAssistant
from tests.e2e.widget_page import ask, assert_view_starts_at, chromium, in_widget, open_widget, pick_language, reply_nodes, shot

PMLP = "https://www.pmlp.gov.lv/lv/uzturesanas-atlaujas"
NVA = "https://www.nva.gov.lv/lv/treso-valstu-pilsonu-nodarbinasana-latvija"
VID = "https://www.vid.gov.lv/lv/nodoklu-maksataju-registrs"
AIC = "https://www.aic.lv/lv/izglitibas-dokumentu-atzisana"
LATVIJA = "https://www.latvija.lv/lv/pakalpojumi/dzivesvietas-deklaresana"
LVA = "https://www.lva.gov.lv/lv/latviesu-valodas-apguve-pieaugusajiem"
NVD = "https://www.vmnvd.gov.lv/lv/gimenes-arsta-izvele"


def office(name: str, note: str) -> dict[str, Any]:
    """An office card as bot/core/plan/present.py makes it (bot/core/offices/render.py's office_card, a note when in another town)."""
    return {
        "note": note,
        "id": "ocma_ogre",
        "office": "ocma",
        "name": name,
        "address": "Brīvības iela 44, Ogre",
        "map_url": "https://www.openstreetmap.org/search?query=Br%C4%ABv%C4%ABbas+iela+44%2C+Ogre",
        "phone": "+371 67209400",
        "phone_url": "tel:+37167209400",
        "website": "https://www.pmlp.gov.lv",
    }


def step(step_id: str, entry: str, title: str, answer: str, sources: list[str], checked: str, **more: Any) -> dict[str, Any]:
    return {"id": step_id, "entry": entry, "title": title, "answer": answer, "conditional": False, "conditional_note": None,
            "office": None, "sources": sources, "checked": checked, **more}  # fmt: skip


def latvian_plan() -> dict[str, Any]:
    checked = "Pārbaudīts 2026. gada 5. decembrī"
    return {
        "key": "3f2a9c0d1e4b5a67",
        "title": "Jūsu pārcelšanās plāns",
        "intro": "Soļi pēc kārtas, no izbraukšanas līdz pirmajam gadam Latvijā.",
        "link": "/widget/plan/Zm9vYmFyLWx2",
        "pdf": "/widget/plan/Zm9vYmFyLWx2.pdf",
        "phases": [
            {"id": "before_leaving", "title": "Pirms izbraukšanas", "steps": [
                step("vacancy_registration", "work_permit.vacancy_registration", "Darba devējs reģistrē vakanci NVA",
                     "Darba devējs reģistrē vakanci **Nodarbinātības valsts aģentūrā** (NVA); ja 10 darbdienās tā nav"
                     " aizpildīta, NVA sniedz atzinumu par ārzemnieka nodarbināšanu.", [NVA], checked),
                step("visa_application", "work_permit.visa", "Pieteikties ilgtermiņa vīzai vai uzturēšanās atļaujai",
                     "- Līdz 1 gadam: ilgtermiņa (D) vīza.\n- Ilgāk: termiņuzturēšanās atļauja.\n\n"
                     f"Pieteikumu iesniedz Latvijas vēstniecībā. Sīkāk: [pmlp.gov.lv]({PMLP})", [PMLP], checked),
                step("diploma_recognition", "qualification_recognition.diploma", "Atzīt izglītības dokumentus",
                     f"Akadēmiskās informācijas centrs (AIC) izvērtē ārvalstīs iegūtu izglītību. Skatiet {AIC}", [AIC], checked,
                     conditional=True, conditional_note="Ja tas attiecas uz jums"),
            ]},
            {"id": "first_week", "title": "Pirmā nedēļa", "steps": [
                step("residence_permit_card", "residence_permit.card", "Saņemt uzturēšanās atļaujas karti PMLP",
                     "Nodaļā nofotografē un noņem pirkstu nospiedumus; karte būs gatava 10 darbdienās.", [PMLP], checked,
                     office=office("PMLP Ogres nodaļa", "Tuvākā filiāle ir 18 km no pilsētas Salaspils:")),
                step("address_declaration", "address_registration.declare", "Deklarēt dzīvesvietu",
                     "Dzīvesvietu deklarē 1 mēneša laikā pēc ierašanās, tiešsaistē latvija.lv vai pašvaldībā.", [LATVIJA], checked),
            ]},
            {"id": "first_month", "title": "Pirmais mēnesis", "steps": [
                step("taxpayer_registration", "taxes.registration", "Reģistrēties VID kā nodokļu maksātājam",
                     "Valsts ieņēmumu dienests (VID) piešķir nodokļu maksātāja statusu; algas nodokli ietur darba devējs.", [VID], checked),
                step("bank_account", "banking.account", "Atvērt bankas kontu",
                     "Līdzi ņemiet pasi, uzturēšanās atļauju un darba līgumu.", [], checked),
                step("family_doctor", "healthcare.family_doctor", "Reģistrēties pie ģimenes ārsta",
                     "Ģimenes ārstu izvēlas pats; reģistrāciju veic ārsta praksē.", [NVD], checked),
            ]},
            {"id": "first_year", "title": "Pirmais gads", "steps": [
                step("language_course", "language_courses.free", "Sākt latviešu valodas kursus",
                     "Latviešu valodas aģentūra (LVA) rīko bezmaksas kursus pieaugušajiem.", [LVA], checked),
            ]},
        ],
    }  # fmt: skip


def ukrainian_plan() -> dict[str, Any]:
    checked = "Перевірено 5 грудня 2026 р."
    return {
        "key": "9b1e7c44a0d2f385",
        "title": "Ваш план переїзду",
        "intro": "Кроки по черзі: від від'їзду до першого року в Латвії.",
        "link": "/widget/plan/Zm9vYmFyLXVr",
        "pdf": "/widget/plan/Zm9vYmFyLXVr.pdf",
        "phases": [
            {"id": "before_leaving", "title": "Перед від'їздом", "steps": [
                step("vacancy_registration", "work_permit.vacancy_registration", "Роботодавець реєструє вакансію в NVA",
                     "Роботодавець реєструє вакансію в **Державному агентстві зайнятості** (NVA); якщо за 10 робочих днів її"
                     " не заповнено, NVA дає висновок щодо працевлаштування іноземця.", [NVA], checked),
                step("visa_application", "work_permit.visa", "Подати заяву на довгострокову візу або посвідку на проживання",
                     "- До 1 року: довгострокова віза (D).\n- Довше: посвідка на тимчасове проживання.\n\n"
                     f"Заяву подають у посольстві Латвії. Докладніше: [pmlp.gov.lv]({PMLP})", [PMLP], checked),
                step("diploma_recognition", "qualification_recognition.diploma", "Визнати документи про освіту",
                     f"Центр академічної інформації (AIC) оцінює освіту, здобуту за кордоном. Див. {AIC}", [AIC], checked,
                     conditional=True, conditional_note="Якщо це стосується вас"),
            ]},
            {"id": "first_week", "title": "Перший тиждень", "steps": [
                step("residence_permit_card", "residence_permit.card", "Отримати картку посвідки на проживання в PMLP",
                     "У відділі вас сфотографують і візьмуть відбитки пальців; картка буде готова за 10 робочих днів.", [PMLP],
                     checked, office=office("PMLP, відділ в Огре", "Найближча філія за 18 км від міста Саласпілс:")),
                step("address_declaration", "address_registration.declare", "Задекларувати місце проживання",
                     "Місце проживання декларують протягом 1 місяця після приїзду, онлайн на latvija.lv або в самоврядуванні.",
                     [LATVIJA], checked),
            ]},
            {"id": "first_month", "title": "Перший місяць", "steps": [
                step("taxpayer_registration", "taxes.registration", "Зареєструватися у VID як платник податків",
                     "Служба державних доходів (VID) надає статус платника податків; податок із зарплати утримує роботодавець.",
                     [VID], checked),
                step("bank_account", "banking.account", "Відкрити банківський рахунок",
                     "Візьміть із собою паспорт, посвідку на проживання і трудовий договір.", [], checked),
                step("family_doctor", "healthcare.family_doctor", "Зареєструватися в сімейного лікаря",
                     "Сімейного лікаря обирають самі; реєструються в його практиці.", [NVD], checked),
            ]},
            {"id": "first_year", "title": "Перший рік", "steps": [
                step("language_course", "language_courses.free", "Почати курси латиської мови",
                     "Агентство латиської мови (LVA) проводить безкоштовні курси для дорослих.", [LVA], checked),
            ]},
        ],
    }  # fmt: skip


PLANS = {"lv": latvian_plan(), "uk": ukrainian_plan()}
SUMMARIES = {
    "lv": "Jūsu plānā ir 9 soļi četros posmos. Atzīmējiet izdarīto — atzīmes paliek šajā pārlūkā.",
    "uk": "У вашому плані 9 кроків у чотирьох етапах. Позначайте зроблене: позначки залишаються в цьому браузері.",
}


def plan_reply(lang: str, direction: str = "ltr") -> list[dict[str, Any]]:
    meta = {"label": "plan", "entry": None, "lang": lang, "offices": ["ocma"], "sources": []}
    return [
        {"text": SUMMARIES.get(lang, SUMMARIES["lv"])},
        {"custom": {"meta": meta, "direction": direction, "plan": PLANS.get(lang, PLANS["lv"])}},
    ]


def all_steps(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for phase in plan["phases"] for s in phase["steps"]]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedAssistant]:
    running = ScriptedAssistant({"plan": plan_reply("lv"), "план": plan_reply("uk"), "plan rtl": plan_reply("ar", "rtl")}).start()
    yield running
    running.stop()


#: elements of the widget that reach past the viewport's edges, and whether the log scrolls sideways
OVERFLOW = """root => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const node of root.querySelectorAll('.panel *')) {
    if (node.closest('.sr-only')) continue;  // 1 px, clipped: the screen reader's
    const r = node.getBoundingClientRect();
    if (r.width && (r.left < -0.5 || r.right > width + 0.5)) {
      wide.push(node.tagName + '.' + node.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  }
  const log = root.querySelector('.log');
  return {wide, sideways: log.scrollWidth > log.clientWidth, page: document.documentElement.scrollWidth > width};
}"""


def assert_fits(page: Page) -> None:
    """Nothing is wider than the viewport, with every step's details open, and nothing scrolls sideways."""
    closed = in_widget(
        page, "root => [...root.querySelectorAll('.plan details')].map(d => { const was = d.open; d.open = true; return !was; })"
    )
    found = in_widget(page, OVERFLOW)
    in_widget(
        page, "(root, closed) => root.querySelectorAll('.plan details').forEach((d, i) => { if (closed[i]) d.open = false; })", closed
    )
    assert found == {"wide": [], "sideways": False, "page": False}, found


WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def assert_no_axe_violations(page: Page) -> None:
    """axe-core's WCAG 2.1 A/AA rules on the widget, the checklist included (as in test_widget_browser.py)."""
    results = Axe().run(page, context={"include": [["#migrant-chat-widget"]]}, options=WCAG_AA).response
    checked = {rule["id"] for rule in results["passes"] + results["incomplete"]}
    assert {"label", "color-contrast", "list", "listitem"} <= checked, checked
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]
    assert found == [], found


def scroll_log_to(page: Page, selector: str) -> None:
    """The log scrolled so the element is at its top (the panel is fixed: page screenshots show the log's view)."""
    in_widget(
        page,
        """(root, selector) => {
          const log = root.querySelector('.log');
          log.scrollTop += root.querySelector(selector).getBoundingClientRect().top - log.getBoundingClientRect().top - 12;
        }""",
        selector,
    )


@pytest.mark.parametrize("lang", ["lv", "uk"])
@pytest.mark.parametrize("width", [375, 1280])
def test_the_plan_is_a_checklist_whose_ticks_survive_a_reload(scripted: ScriptedAssistant, browser: Browser, lang: str, width: int):
    phone = width < 480
    viewport = {"width": width, "height": 740 if phone else 860}
    context = browser.new_context(viewport=viewport, has_touch=phone, is_mobile=phone, locale="en-GB")
    context.set_default_timeout(20_000)
    plan = PLANS[lang]
    steps = all_steps(plan)
    say = widget_strings(lang)
    name = f"plan-{lang}-{width}px"
    try:
        page = context.new_page()
        watch = open_widget(page, f"{scripted.url}/widget/demo.html")
        pick_language(page, lang)
        sent = len(scripted.received)
        reply = ask(page, "plan" if lang == "lv" else "план")
        nodes = reply_nodes(page, reply)
        expect(nodes).to_have_count(2)  # the summary as it came, then the checklist
        expect(nodes.first).to_have_text(re.compile(re.escape(SUMMARIES[lang])))
        assert_view_starts_at(page, reply)  # on a phone: the summary at the top, the checklist under it
        checklist = nodes.nth(1)
        expect(checklist).to_have_attribute("lang", lang)
        expect(checklist).to_have_accessible_name(plan["title"])

        # a heading per phase, a checkbox labelled with its step's title per step
        expect(checklist.get_by_role("heading", level=3)).to_have_text(plan["title"])
        expect(checklist.get_by_role("heading", level=4)).to_have_text([phase["title"] for phase in plan["phases"]])
        for phase in plan["phases"]:
            expect(checklist.get_by_role("list", name=phase["title"]).get_by_role("checkbox")).to_have_count(len(phase["steps"]))
        boxes = checklist.get_by_role("checkbox")
        expect(boxes).to_have_count(len(steps))
        for item in steps:
            expect(checklist.get_by_role("checkbox", name=item["title"], exact=True)).not_to_be_checked()
        conditional = next(s for s in steps if s["conditional_note"])
        expect(checklist.get_by_role("checkbox", name=conditional["title"])).to_have_accessible_description(conditional["conditional_note"])
        expect(checklist.locator(".plan-note")).to_have_text([conditional["conditional_note"]])
        progress = checklist.get_by_role("status")
        expect(progress).to_have_text(say["plan_progress"].format(done=0, total=len(steps)))
        if lang != "en":
            assert say["plan_progress"] != "{done} of {total} done", "the progress line is not translated"

        # the printable page and the PDF: on the assistant's server, in a new tab, saying so
        printable = checklist.get_by_role("link", name=f"{say['plan_printable']} {say['new_tab']}")
        pdf = checklist.get_by_role("link", name=f"{say['plan_pdf']} {say['new_tab']}")
        expect(printable).to_have_attribute("href", scripted.url + plan["link"])
        expect(pdf).to_have_attribute("href", scripted.url + plan["pdf"])
        for link in (printable, pdf):
            expect(link).to_have_attribute("target", "_blank")
            expect(link).to_have_attribute("rel", "noopener noreferrer")
            assert link.bounding_box()["height"] >= 44

        # the details are folded: the answer, the office card, the sources by host and the date show when opened
        with_office = next(s for s in steps if s["office"])
        item = checklist.locator(".plan-step").nth(steps.index(with_office))
        expect(item.locator(".card")).to_be_hidden()
        summary = item.locator("summary")
        assert summary.bounding_box()["height"] >= 44
        assert in_widget(page, "root => root.querySelector('.plan').textContent.includes('Brīvības iela 44')")  # there, folded
        summary.click()
        expect(item.locator(".card")).to_be_visible()
        expect(item.locator(".card-name")).to_have_text(with_office["office"]["name"])
        expect(item.locator(".card-note").first).to_have_text(with_office["office"]["note"])  # which branch, and why
        expect(item.get_by_role("link", name=re.compile(re.escape(say["show_on_map"])))).to_have_attribute(
            "href", with_office["office"]["map_url"]
        )
        sources = item.locator(".plan-sources")
        expect(sources).to_have_text(f"{say['plan_sources']} pmlp.gov.lv {say['new_tab']}")  # its host; the hint is hidden
        expect(sources.get_by_role("link")).to_have_attribute("href", PMLP)
        expect(item.locator(".plan-checked")).to_have_text(with_office["checked"])
        expect(item.locator(".text strong, .text ul, .text p").first).to_be_attached()  # the answer in the reply format
        visa = checklist.locator(".plan-step").nth(1)
        visa.locator("summary").click()
        expect(visa.locator(".text li")).to_have_count(2)
        expect(visa.locator(".text a")).to_have_attribute("href", PMLP)
        assert_fits(page)
        assert_no_axe_violations(page)
        scroll_log_to(page, ".plan-step:has(.card)")
        shot(page, f"{name}-details")
        summary.click()
        visa.locator("summary").click()

        # tick two steps: one by its box, one by its title; nothing goes to the server
        first, second = steps[0], steps[4]
        checklist.get_by_role("checkbox", name=first["title"], exact=True).check()
        checklist.locator(".plan-step-title", has_text=second["title"]).click()
        expect(checklist.get_by_role("checkbox", name=second["title"], exact=True)).to_be_checked()
        expect(progress).to_have_text(say["plan_progress"].format(done=2, total=len(steps)))
        assert json.loads(page.evaluate("k => localStorage.getItem(k)", f"migrant-plan:{plan['key']}")) == [first["id"], second["id"]]
        page.wait_for_timeout(300)
        assert len(scripted.received) == sent + 1  # only the question: ticking sends nothing
        scroll_log_to(page, f'[data-reply="{reply}"]')
        shot(page, f"{name}-ticked")

        # a reload: the conversation comes back from localStorage, the plan with its ticks
        page.reload()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible()  # it was open
        checklist = reply_nodes(page, reply).nth(1)
        expect(checklist.get_by_role("checkbox")).to_have_count(len(steps))
        checked = [s["title"] for s in steps if checklist.get_by_role("checkbox", name=s["title"], exact=True).is_checked()]
        assert checked == [first["title"], second["title"]]
        expect(checklist.get_by_role("status")).to_have_text(say["plan_progress"].format(done=2, total=len(steps)))
        # closing and opening the panel again changes nothing
        dialog.get_by_role("button", name=say["close"]).click()
        page.get_by_role("button", name=say["open"]).click()
        expect(checklist.get_by_role("checkbox", name=first["title"], exact=True)).to_be_checked()
        assert_fits(page)
        scroll_log_to(page, ".plan-phase-title:nth-of-type(2)" if phone else f'[data-reply="{reply}"]')
        shot(page, f"{name}-after-reload")
        in_widget(page, "root => { const log = root.querySelector('.log'); log.scrollTop = log.scrollHeight; }")
        shot(page, f"{name}-end")

        # unticking counts down and is kept
        checklist.get_by_role("checkbox", name=first["title"], exact=True).uncheck()
        expect(checklist.get_by_role("status")).to_have_text(say["plan_progress"].format(done=1, total=len(steps)))
        assert json.loads(page.evaluate("k => localStorage.getItem(k)", f"migrant-plan:{plan['key']}")) == [second["id"]]
        assert len(scripted.received) == sent + 1
        assert watch.errors == [] and watch.dialogs == []
    finally:
        context.close()


def test_the_same_plan_twice_and_in_another_tab_shows_the_same_ticks(scripted: ScriptedAssistant, browser: Browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        open_widget(page, f"{scripted.url}/widget/demo.html")
        ask(page, "plan")
        ask(page, "plan")
        plans = page.locator(".plan")
        expect(plans).to_have_count(2)
        title = all_steps(PLANS["lv"])[2]["title"]
        plans.first.get_by_role("checkbox", name=title, exact=True).check()
        expect(plans.nth(1).get_by_role("checkbox", name=title, exact=True)).to_be_checked()
        other = context.new_page()  # a second tab of the same site: the storage event brings the tick over
        other.goto(f"{scripted.url}/widget/demo.html")  # the panel opens as it was left
        expect(other.locator(".plan").first.get_by_role("checkbox", name=title, exact=True)).to_be_checked()
        other.locator(".plan").first.get_by_role("checkbox", name=title, exact=True).uncheck()
        expect(plans.first.get_by_role("checkbox", name=title, exact=True)).not_to_be_checked()
        expect(plans.nth(1).get_by_role("checkbox", name=title, exact=True)).not_to_be_checked()
    finally:
        context.close()


#: localStorage that refuses every write, as in a full quota (and Safari's old private mode)
FULL_STORAGE = """
Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };
Storage.prototype.removeItem = function () { throw new DOMException('blocked', 'SecurityError'); };
"""


def test_a_storage_failure_does_not_break_the_checklist(scripted: ScriptedAssistant, browser: Browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True, locale="lv-LV")
    context.set_default_timeout(20_000)
    context.add_init_script(FULL_STORAGE)
    try:
        page = context.new_page()
        watch = open_widget(page, f"{scripted.url}/widget/demo.html", open_label="Atvērt tērzēšanu")
        ask(page, "plan")
        steps = all_steps(PLANS["lv"])
        checklist = page.locator(".plan")
        checklist.get_by_role("checkbox", name=steps[0]["title"], exact=True).check()
        checklist.get_by_role("checkbox", name=steps[1]["title"], exact=True).check()
        expect(checklist.get_by_role("status")).to_have_text(widget_strings("lv")["plan_progress"].format(done=2, total=len(steps)))
        checklist.get_by_role("checkbox", name=steps[1]["title"], exact=True).uncheck()
        expect(checklist.get_by_role("status")).to_have_text(widget_strings("lv")["plan_progress"].format(done=1, total=len(steps)))
        ask(page, "plan")  # the plan again: the ticks of this page are still known
        expect(page.locator(".plan").nth(1).get_by_role("checkbox", name=steps[0]["title"], exact=True)).to_be_checked()
        assert watch.errors == []
    finally:
        context.close()


def test_deleting_the_conversation_forgets_its_plans_ticks(scripted: ScriptedAssistant, browser: Browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.set_default_timeout(20_000)
    key = f"migrant-plan:{PLANS['lv']['key']}"
    try:
        page = context.new_page()
        open_widget(page, f"{scripted.url}/widget/demo.html")
        ask(page, "plan")
        page.locator(".plan").get_by_role("checkbox").first.check()
        assert page.evaluate("k => localStorage.getItem(k)", key) is not None
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("button", name="Delete my conversation").click()
        page.get_by_role("button", name="Delete", exact=True).click()
        expect(page.locator(".plan")).to_have_count(0)
        assert page.evaluate("k => localStorage.getItem(k)", key) is None
    finally:
        context.close()


def _with_rtl_language(route: Route) -> None:
    response = route.fetch()
    body = response.json()
    body["languages"].append({"code": "ar", "name": "العربية", "direction": "rtl"})
    route.fulfill(response=response, json=body)


def test_the_checklist_mirrors_right_to_left(scripted: ScriptedAssistant, browser: Browser):
    """No right-to-left language has content yet: a routed one (English strings) with a plan marked rtl."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True, locale="en-GB")
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        english = page.request.get(f"{scripted.url}/widget/strings/en.json").json()
        page.route("**/widget/languages.json", _with_rtl_language)
        page.route("**/widget/strings/ar.json", lambda route: route.fulfill(json={**english, "lang": "ar", "direction": "rtl"}))
        open_widget(page, f"{scripted.url}/widget/demo.html")
        pick_language(page, "ar")
        ask(page, "plan rtl")
        checklist = page.locator(".plan")
        expect(checklist).to_have_attribute("dir", "rtl")
        row = checklist.locator(".plan-check").first
        box = row.get_by_role("checkbox").bounding_box()
        title = row.locator(".plan-step-title").bounding_box()
        assert box["x"] > title["x"], (box, title)  # the box at the start, which is the right
        assert_fits(page)
        shot(page, "plan-rtl-375px")
    finally:
        context.close()
