"""Whole journeys in a real browser: report by clicking the map, accept, propose, see the plan, commit; live updates; reconnects."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from emergency.casebase.v1 import casebase_service_pb2 as cpb

from tests.console.browser import DIST, chromium, click_map, login, open_page, require_browser_and_build, shot
from tests.console.harness import ConsoleServer
from tests.gateway.conftest import Suite
from tests.gateway.helpers import CHLORINE, DIRECTOR, TANK_FIRE, report
from tests.gateway.scenarios import two_incident_scenario

pytestmark = pytest.mark.timeout(300)


@pytest_asyncio.fixture(scope="module")
async def web(suite: Suite) -> AsyncIterator[ConsoleServer]:
    """The console server serving the built application."""
    require_browser_and_build()
    server = ConsoleServer(gateway=suite.addresses["gateway"], heartbeat_s=2.0, static_dir=DIST)
    await server.start()
    yield server
    await server.stop()


async def test_operator_reports_by_map_accepts_proposes_sees_plan_and_commits_while_a_second_browser_follows(web: ConsoleServer) -> None:
    async with chromium() as browser:
        first = await open_page(browser, web.url)
        await first.wait_for_selector("button.role")
        await shot(first, "00-login")
        await login(first, "operator")
        second = await open_page(browser, web.url)
        await login(second, "operator")
        await second.wait_for_selector("[data-testid=board], [data-testid=board-empty]")
        await shot(first, "01-board")
        available_before = await first.inner_text("[data-testid=available-units]")

        await first.click("a[href='#/report']")
        await first.wait_for_selector("[data-testid=title]")
        await click_map(first, 31.9352, 120.2268)
        await first.wait_for_function("document.querySelector('[data-testid=where]').dataset.park === 'xiagang'")
        await first.fill("[data-testid=title]", "液氯储罐区氯气泄漏")
        await first.select_option("[data-testid=kind]", "INCIDENT_KIND_TOXIC_GAS_LEAK")
        await first.select_option("[data-testid=severity]", "SEVERITY_II")
        await first.fill("[data-testid=substance]", "chlorine")
        await first.fill("[data-testid=un]", "1017")
        await first.fill("[data-testid=hazard]", "2.3")
        await first.click("[data-testid=submit-report]")
        await first.wait_for_selector("[data-testid=recommended] tbody tr")
        assert await first.locator("[data-testid=similar-cases] tbody tr").count() > 0
        await shot(first, "02-report-recommendation")

        # The second browser sees the new incident without reloading.
        await second.wait_for_selector("[data-testid=board-title]:has-text('液氯储罐区氯气泄漏')", timeout=20000)

        await first.click("[data-testid=accept-demands]")
        await first.wait_for_selector("[data-testid=propose]:not([disabled])")
        await first.click("[data-testid=propose]")
        await first.wait_for_selector("[data-testid=eta-table] tbody tr", timeout=60000)
        await first.wait_for_selector("path.plan-line", timeout=20000)
        assert await first.locator("path.plan-unit").count() > 0
        await shot(first, "03-plan-review")
        # An exclusion with its reason: the plan is made again without the unit and says what that cost.
        excluded = (await first.locator("[data-testid=eta-table] tbody tr td").first.inner_text()).strip()
        await first.click("details.overrides summary")
        await first.click("[data-add=exclusions]")
        await first.fill("[data-kind=exclusions] input[data-field=unit]", excluded)
        await first.fill("[data-kind=exclusions] input[data-field=reason]", "车辆故障")
        await first.click("[data-testid=repropose]")
        await first.wait_for_selector("[data-testid=override-costs] tbody tr", timeout=60000)
        assert excluded not in await first.locator("[data-testid=eta-table] tbody td:first-child").all_inner_texts()
        await shot(first, "03b-plan-with-exclusion")

        await first.click("[data-testid=commit]")
        await first.wait_for_selector("[data-testid=commit-result][data-outcome=OUTCOME_COMMITTED]", timeout=60000)
        assert await first.locator("[data-testid=dispatched] tbody tr").count() > 0
        await shot(first, "04-commit-result")
        await first.click("[data-testid=to-board]")
        await first.wait_for_selector("[data-testid=board]", timeout=60000)
        await first.wait_for_function(
            "[...document.querySelectorAll('[data-testid=board] tbody tr')].some(r => r.textContent.includes('液氯储罐区氯气泄漏') && r.textContent.includes('处置中'))",
            timeout=30000,
        )
        await shot(first, "04b-board-after-commit")
        # The commit shows on the second browser too: state and units en route, without a reload.
        await second.wait_for_function(
            "[...document.querySelectorAll('[data-testid=board] tbody tr')].some(r => r.textContent.includes('处置中'))", timeout=30000
        )
        await second.wait_for_selector("path.unit", timeout=20000)
        await shot(second, "05-second-browser")
        await first.click("[data-testid=board-title]:has-text('液氯储罐区氯气泄漏')")
        await first.wait_for_selector("[data-testid=assignments] tbody tr", timeout=20000)
        assert await first.inner_text("[data-testid=incident-state]") == "处置中"
        units = await first.locator("[data-testid=assignments] tbody tr").count()
        await first.wait_for_function(
            "[...document.querySelectorAll('[data-testid=assignments] tbody td:nth-child(3)')].every(td => td.textContent.trim() !== '')"
        )
        await first.wait_for_selector("[data-testid=timeline] tbody tr")
        await shot(first, "05b-incident-page")

        # Every unit on scene, the hazard contained, the incident closed with its units back at once.
        await first.click("button[data-step=OnScene]")
        await first.wait_for_function(
            f"[...document.querySelectorAll('[data-testid=assignments] [data-unit-state]')].filter(s => s.dataset.unitState === 'STATE_ON_SCENE').length === {units}",
            timeout=30000,
        )
        await shot(first, "05c-units-on-scene")
        await first.click("button[data-step=ContainIncident]")
        await first.wait_for_selector("[data-testid=incident-state][data-state=STATE_CONTAINED]", timeout=30000)
        await first.fill("[data-testid=step-outcome]", "泄漏点已封堵，氯气已吸收")
        assert await first.is_checked("[data-testid=step-unitsAvailable]")
        await first.click("button[data-step=CloseIncident]")
        await first.wait_for_selector("[data-testid=incident-state][data-state=STATE_CLOSED]", timeout=30000)
        moves = await first.locator("[data-testid=unit-moves] tbody tr").all_inner_texts()
        assert len(moves) == units and all(m.rstrip().endswith("✓") and "→ 可用" in m for m in moves), moves
        timeline = await first.inner_text("[data-testid=timeline]")
        assert "CLOSE" in timeline and "UNIT_ON_SCENE" in timeline, timeline
        await shot(first, "05d-incident-closed")
        # The board no longer lists it, and the other browser sees it go.
        await first.click("a[href='#/board']")
        await first.wait_for_selector("[data-testid=board], [data-testid=board-empty]")
        await first.wait_for_function(f"document.querySelector('[data-testid=available-units]').textContent === '{available_before}'", timeout=30000)
        await second.wait_for_function(
            "![...document.querySelectorAll('[data-testid=board-title]')].some(a => a.textContent.includes('液氯储罐区氯气泄漏'))", timeout=30000
        )
        await shot(first, "05e-board-after-close")


async def test_page_reconnects_after_the_console_server_restarts_and_misses_no_event(web: ConsoleServer, suite: Suite) -> None:
    async with chromium() as browser:
        page = await open_page(browser, web.url, lang="en")
        await login(page, "operator")
        await page.evaluate("window.notReloaded = true")
        await web.stop()
        await page.wait_for_selector("[data-testid=stream-state][data-state=offline]", timeout=30000)
        await shot(page, "06-offline")
        missed = [(await report(suite.gateway, spec, title=f"While the console was down {n}")).incident.name for n, spec in enumerate((CHLORINE, TANK_FIRE))]
        await web.start()
        await page.wait_for_selector("[data-testid=stream-state][data-state=live]", timeout=30000)
        for name in missed:
            await page.wait_for_function(f"window.consoleApp.received.includes('incident.created {name}')", timeout=30000)
        await page.wait_for_selector("[data-testid=board-title]:has-text('While the console was down 1')", timeout=30000)
        assert await page.evaluate("window.notReloaded === true")
        await shot(page, "07-reconnected")


BAD_FILE = """kind,id,name,depot_kind,latitude,longitude,shared,resource_type,call_sign,home_depot,crew_size,capabilities,depot,on_hand,minimum_level,minimum
depot,xg-new,Xiagang new depot,FIRE_STATION,31.93,120.23,,,,,,,,,,
unit,xg-new-pe-01,,,,,,PUMPER_ENGINE,,xg-new,4,,,,,
stock,,,,,,,FOAM_AR_AFFF,,,,,xg-new,plenty,,
depot,xg-bad,Bad depot,CASTLE,31.93,120.23,,,,,,,,,,
"""
SERVER_REFUSED = """kind,id,name,depot_kind,latitude,longitude,shared,resource_type,call_sign,home_depot,crew_size,capabilities,depot,on_hand,minimum_level,minimum
depot,xg-new,Xiagang new depot,FIRE_STATION,31.93,120.23,,,,,,,,,,
unit,xg-new-am-01,,,,,,AMBULANSE,XGN-AM01,xg-new,3,,,,,
"""


async def test_park_officer_sees_every_bad_row_and_no_edit_buttons_for_another_park(web: ConsoleServer, tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text(BAD_FILE)
    (tmp_path / "refused.csv").write_text(SERVER_REFUSED)
    async with chromium() as browser:
        page = await open_page(browser, web.url)
        await login(page, "park_officer", park="xiagang")
        await page.wait_for_selector("[data-testid=import-box]")
        await page.set_input_files("[data-testid=import-file]", str(tmp_path / "bad.csv"))
        await page.click("[data-testid=import-run]")
        await page.wait_for_selector("[data-testid=bad-rows] tbody tr")
        rows = await page.locator("[data-testid=bad-rows] tbody tr").all_inner_texts()
        assert [r.split("\t")[:2] for r in rows] == [["3", "call_sign"], ["4", "on_hand"], ["5", "depot_kind"]]
        await shot(page, "08-officer-bad-rows")
        await page.set_input_files("[data-testid=import-file]", str(tmp_path / "refused.csv"))
        await page.click("[data-testid=import-run]")
        await page.wait_for_function(
            "[...document.querySelectorAll('[data-testid=bad-rows] tbody tr')].some(r => r.textContent.startsWith('3'))", timeout=30000
        )
        await shot(page, "09-officer-server-refusal")
        # Their own park: a unit out of service and back, a stock loss booked with its reason.
        await page.wait_for_selector("[data-testid=park-units] button[data-to=STATE_OUT_OF_SERVICE]")
        unit = await page.get_attribute("[data-testid=park-units] button[data-to=STATE_OUT_OF_SERVICE]", "data-unit")
        await page.fill("[data-testid=unit-reason]", "泵故障检修")
        await page.click(f"[data-testid=park-units] button[data-unit='{unit}']")
        await page.wait_for_selector(f"[data-testid=park-units] button[data-unit='{unit}'][data-to=STATE_AVAILABLE]", timeout=30000)
        await shot(page, "09b-officer-unit-out-of-service")
        await page.click(f"[data-testid=park-units] button[data-unit='{unit}']")
        await page.wait_for_selector(f"[data-testid=park-units] button[data-unit='{unit}'][data-to=STATE_OUT_OF_SERVICE]", timeout=30000)
        row = page.locator("[data-testid=park-stocks] tbody tr").first
        on_hand = float((await row.locator("td").nth(2).inner_text()).replace(",", ""))
        await row.locator("select[data-field=kind]").select_option("KIND_LOSS")
        await row.locator("input[data-field=delta]").fill("1")
        await row.locator("input[data-field=reason]").fill("包装破损报废")
        await row.locator("button[data-stock]").click()
        await page.wait_for_function(
            f"parseFloat(document.querySelector('[data-testid=park-stocks] tbody tr td:nth-child(3)').textContent.replace(/,/g, '')) === {on_hand - 1}",
            timeout=30000,
        )
        await shot(page, "09c-officer-stock-adjusted")
        await page.goto(f"{web.url}/#/inventory/shengang")
        await page.wait_for_selector("[data-testid=read-only]")
        assert await page.locator("[data-testid=import-box]").count() == 0
        assert await page.locator("[data-testid=import-run]").count() == 0
        await page.wait_for_selector("[data-testid=park-units] tbody tr")
        assert await page.locator("[data-testid=park-inventory] button").count() == 0


async def test_drill_director_runs_a_drill_to_its_report_while_the_live_board_stays_unchanged(web: ConsoleServer, suite: Suite) -> None:
    reply = await suite.casebase.CreateScenario(
        cpb.CreateScenarioRequest(request_id=uuid.uuid4().hex, scenario_id="console-drill", scenario=two_incident_scenario(late_offset_s=60)), metadata=DIRECTOR
    )
    async with chromium() as browser:
        live = await open_page(browser, web.url)
        await login(live, "operator")
        await live.wait_for_selector("[data-testid=board], [data-testid=board-empty]")
        before = await live.locator("[data-testid=board-title]").all_inner_texts()
        director = await open_page(browser, web.url)
        await login(director, "drill_director")
        await director.wait_for_selector("[data-testid=scenarios]")
        await shot(director, "10-scenarios")
        await director.fill("[data-testid=drill-speed]", "3600")
        await director.fill("[data-testid=drill-scenario]", reply.scenario.name)
        await director.click("[data-testid=drill-start]")
        await director.wait_for_selector("[data-testid=exercise-banner]", timeout=30000)
        await director.wait_for_selector("[data-testid=aar-chart]", timeout=180000)
        assert "EXERCISE" in await director.inner_text("[data-testid=exercise-banner]")
        await shot(director, "11-drill-report")
        await director.goto(f"{web.url}/#/drills")
        await director.wait_for_selector("[data-testid=drill-list] tbody tr")
        assert "已结束" in await director.inner_text("[data-testid=drill-list]")
        await live.wait_for_timeout(500)
        assert await live.locator("[data-testid=board-title]").all_inner_texts() == before
        assert await live.locator("[data-testid=exercise-banner]").count() == 0


PARKS_IN_VIEW = (
    "() => { const m = window.consoleApp.map; const view = m.map.getBounds(); return [...m.parkLayers.values()].every((p) => view.contains(p.getBounds())); }"
)


async def test_the_board_frames_every_park_and_a_language_switch_keeps_the_view_and_the_notifications(web: ConsoleServer, suite: Suite) -> None:
    async with chromium() as browser:
        # A laptop screen: the board's panel is wider than the login page's, so the map narrows after login.
        page = await open_page(browser, web.url, lang="zh", size=(1400, 900))
        await login(page, "operator")
        await page.wait_for_function(PARKS_IN_VIEW, timeout=10000)
        name = (await report(suite.gateway, CHLORINE, title="Reported before the language switch")).incident.name
        await page.wait_for_function(f"window.consoleApp.received.includes('incident.created {name}')", timeout=30000)
        notes, zoom = await page.evaluate("[window.consoleApp.notes.length, window.consoleApp.map.map.getZoom()]")
        assert notes >= 1
        await page.evaluate("window.notReloaded = true")
        await page.click("button.lang")
        await page.wait_for_function("window.notReloaded === undefined && window.consoleApp?.streamState === 'live'", timeout=30000)
        assert await page.inner_text("[data-testid=notes]") == f"Notifications {notes}"
        assert await page.evaluate("window.consoleApp.map.map.getZoom()") == zoom
        assert await page.evaluate(PARKS_IN_VIEW)
        await shot(page, "12-language-switched")
