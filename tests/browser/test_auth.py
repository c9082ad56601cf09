"""Sign-in and rights in a real browser (the session's app and Chromium).

Signing in and out (a wrong password first); a viewer of one cluster sees that cluster and
nothing else of its agreement; a steward uploads a workbook with three errors, sees all
three, uploads the corrected one, previews, imports and undoes; a member cannot upload; an
admin adds an account, grants a role and revokes it. The first administrator, made under
Administration by the local administrator of a fresh ``make run``, chooses a password (or
is shown the generated one) and signs in with it, never thrown out half-way.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from dashboard.data import repository
from dashboard.data.ingest import undo_import
from dashboard.people import store
from tests.browser.support import (
    PEOPLE,
    clean_window,
    click,
    in_user_menu,
    sign_in_again,
    signed_in_as,
    visit,
    wait_for,
)
from tests.webserver import serving

KRAMI = "/agreements/krami-sthlm-2023"
VIEW = "document.querySelector('#kpi-table')"
NOT_FOUND = "document.querySelector('.not-found')"


def text(duo) -> str:
    return duo.driver.execute_script("return document.body.innerText")


@pytest.fixture(autouse=True)
def window(duo):
    with clean_window(duo, 1024, 768):
        yield


def test_sign_in_and_out(duo):
    driver = duo.driver
    driver.delete_all_cookies()
    driver.get(duo.server_url + KRAMI + "?period=2023-H1")
    wait_for(driver, "document.querySelector('#sign-in-form')")
    assert "/login?next=" in driver.current_url
    assert driver.title == "Logga in – Samverkan"
    driver.find_element("id", "login").send_keys("lasare")
    driver.find_element("id", "password").send_keys("fel lösenord\n")
    wait_for(driver, "document.querySelector('#sign-in-error')")
    assert "Fel användarnamn eller lösenord." in text(duo)
    assert driver.find_element("id", "login").get_attribute("value") == "lasare"
    duo.reset_log_timestamp()  # the browser reports the refused sign-in's 401 itself
    driver.find_element("id", "password").send_keys(PEOPLE["lasare"][0] + "\n")
    wait_for(driver, VIEW)  # back where the reader was going, at the same period
    assert driver.current_url.endswith(KRAMI + "?period=2023-H1")
    assert driver.find_element("id", "user-name").text == "Lasare"
    assert not driver.find_elements("id", "admin-link")
    assert not driver.find_elements("id", "upload-link")
    click(driver, in_user_menu(driver, "sign-out-button"))
    wait_for(driver, "document.querySelector('#signed-out')")
    assert "Du är utloggad" in text(duo)
    driver.get(duo.server_url + "/")
    wait_for(driver, "document.querySelector('#sign-in-form')")  # signed out for real
    sign_in_again(duo)


def test_a_viewer_of_one_cluster_sees_only_that_cluster(duo):
    driver = duo.driver
    with signed_in_as(duo, "klusterlasare"):  # on the portfolio
        wait_for(driver, "document.querySelector('#your-clusters a')")
        links = driver.find_elements("css selector", "#your-clusters a")
        assert [a.text for a in links] == ["Järva – Stockholms stad – Arbetsförmedlingen 2023"]
        assert not driver.find_elements("id", "portfolio-grid")  # no agreement of theirs
        click(driver, links[0])
        wait_for(driver, VIEW)
        assert driver.find_element("css selector", ".view-title").text == "Järva"
        # Nothing of the agreement as a whole: no other cluster, no part of the whole, the
        # agreement's name not a link; only Järva's figures in the table.
        assert not driver.find_elements("css selector", "a.cluster-chip")
        assert not driver.find_elements("css selector", ".part-section")
        assert not driver.find_elements("css selector", ".crumbs a[href*='/agreements/']")
        clusters = set(driver.execute_script(
            "return Array.from(document.querySelectorAll('#kpi-table tbody tr'))"
            ".map(tr => tr.getAttribute('data-cluster'))"))
        assert clusters == {"jarva"}
        for path in ("/agreements/sthlm-af-2023", "/agreements/sthlm-af-2023/clusters/vallingby",
                     "/present/sthlm-af-2023", KRAMI):
            visit(duo, path, NOT_FOUND)  # the same page as for an agreement that is not there
            assert "Sidan finns inte" in text(duo), path
        visit(duo, "/present/sthlm-af-2023?cluster=jarva",
              "document.querySelector('#present .slide.current')")
        assert "Järva" in driver.find_element("css selector", ".present-where").text


def workbook(folder: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "occupancy"
    sheet.append(["agreement_id", "cluster_id", "month", "participants", "started", "exited"])
    for row in rows:
        sheet.append(row)
    # Krami's validity runs on into 2024 in the same file: a month outside the agreement
    # would be refused too (contract section 1).
    agreements = book.create_sheet("agreements")
    agreements.append(["agreement_id", "name", "valid_from", "valid_to"])
    agreements.append(["krami-sthlm-2023", "Krami Stockholm 2023", "2023-01-01", "2024-12-31"])
    path = folder / "krami-2024.xlsx"
    book.save(path)
    return path


def upload(duo, path: Path) -> None:
    driver = duo.driver
    click(driver, driver.find_element("id", "upload-choose"))  # makes the file input
    driver.find_element("id", "upload-file-input").send_keys(str(path))


def test_a_steward_uploads_sees_every_problem_previews_imports_and_undoes(duo, browser_app,
                                                                          tmp_path):
    driver = duo.driver
    engine = browser_app.server.config["DASHBOARD_ENGINE"]
    before = set(repository.list_imports(engine)["id"])
    bad = workbook(tmp_path, [["krami-sthlm-2023", "stockholm", "2024-01", 70, 5, 4],
                              ["krami-sthlm-2023", "stockholm", "2024-13", 71, 5, 4],
                              ["krami-sthlm-2023", "stockholm", "2024-03", -3, 5, 4],
                              ["krami-sthlm-2023", "nowhere", "2024-04", 72, 5, 4]])
    try:
        with signed_in_as(duo, "forvaltare"):  # on the portfolio
            wait_for(driver, "document.querySelector('#upload-link')")
            click(driver, in_user_menu(driver, "upload-link"))
            wait_for(driver, "document.querySelector('#upload-drop')")
            upload(duo, bad)
            wait_for(driver, "document.querySelector('#upload-problems')", timeout=60)
            problems = driver.find_elements("css selector", "#upload-problems li")
            assert len(problems) == 3
            shown = [p.text for p in problems]
            assert "rad 3, kolumn C ”month”" in shown[0] and "2024-13" in shown[0]
            assert "rad 4, kolumn D ”participants”" in shown[1]
            assert "rad 5, kolumn B ”cluster_id”" in shown[2] and "nowhere" in shown[2]
            assert "blad ”occupancy”" in shown[0]
            good = workbook(tmp_path, [["krami-sthlm-2023", "stockholm", m, 70, 5, 4]
                                       for m in ("2024-01", "2024-02", "2024-03", "2024-04")])
            upload(duo, good)
            wait_for(driver, "document.querySelector('#preview-table')", timeout=60)
            cells = driver.execute_script(
                "return Array.from(document.querySelectorAll("
                "'#preview-table tr[data-table=occupancy] td')).map(td => td.innerText)")
            assert cells == ["occupancy", "4", "4", "0", "0"]
            assert "jan 2024 – apr 2024" in driver.find_element("id", "preview-touched").text
            assert set(repository.list_imports(engine)["id"]) == before  # only a preview
            assert driver.execute_script(
                "return document.querySelector('#upload-progress').innerText") == "100 %"
            click(driver, driver.find_element("id", "upload-import"))
            wait_for(driver, "document.querySelector('#upload-imported')", timeout=60)
            new = set(repository.list_imports(engine)["id"]) - before
            assert len(new) == 1
            import_id = new.pop()
            row = f"#import-log tr[data-import='{import_id}']"
            wait_for(driver, f"document.querySelector(\"{row} button\")")
            click(driver, driver.find_element("css selector", f"{row} button"))
            wait_for(driver, "document.querySelector('#undo-done')", timeout=60)
            log = repository.list_imports(engine).set_index("id")
            assert log.loc[import_id, "status"] == "undone"
            actions = [e["action"] for e in store.audit_entries(engine, 20)
                       if e["actor"] == "forvaltare"]
            assert actions[:3] == ["undo", "import", "import_refused"] or \
                actions[:2] == ["undo", "import"]
    finally:  # whatever happened, the demo data is as it was for the other tests
        for import_id in sorted(set(repository.list_imports(engine).query(
                "status == 'active'")["id"]) - before, reverse=True):
            undo_import(engine, int(import_id))


def test_a_file_over_the_limit_is_refused_before_it_is_sent(duo, browser_app, tmp_path):
    """20 MB is the limit (UPLOAD_MAX_MB): a file of 21 MB is not sent at all (nor would a
    proxy's 413 be shown as a bare failure): the page says the limit in its own words."""
    driver = duo.driver
    engine = browser_app.server.config["DASHBOARD_ENGINE"]
    before = len(repository.list_imports(engine))
    big = tmp_path / "krami-stor.xlsx"
    with open(big, "wb") as f:
        f.truncate(21_000_000)  # sparse: nothing is written, the size is what counts
    with signed_in_as(duo, "forvaltare"):
        wait_for(driver, "document.querySelector('#upload-link')")
        click(driver, in_user_menu(driver, "upload-link"))
        wait_for(driver, "document.querySelector('#upload-drop')")
        upload(duo, big)
        wait_for(driver, "document.querySelector('#upload-status') && "
                         "document.querySelector('#upload-status').innerText.includes('MB')")
        assert driver.find_element("id", "upload-status").text == \
            "Filen är större än gränsen på 20 MB (UPLOAD_MAX_MB)."
        assert not driver.find_element("id", "upload-progress").is_displayed()
        sent = driver.execute_script(
            "return performance.getEntriesByType('resource')"
            ".filter(e => e.name.includes('/upload/file')).length")
        assert sent == 0  # refused in the browser: no byte of it went to the server
    assert len(repository.list_imports(engine)) == before


def test_a_member_cannot_upload(duo):
    driver = duo.driver
    with signed_in_as(duo, "ledamot", next_path=KRAMI):
        wait_for(driver, VIEW)
        assert not driver.find_elements("id", "upload-link")
        visit(duo, "/upload", NOT_FOUND)
        status = driver.execute_async_script("""
            const done = arguments[arguments.length - 1];
            const token = (document.cookie.match(/_csrf_token=([^;]+)/) || [])[1] || '';
            fetch('/upload/file', {method: 'POST', body: 'x', headers: {
                'X-File-Name': 'krami.xlsx', 'X-CSRFToken': decodeURIComponent(token)}})
              .then(r => done(r.status));""")
        assert status == 404
    duo.reset_log_timestamp()  # the refused fetch is reported by the browser


def test_an_admin_adds_an_account_grants_a_role_and_revokes_it(duo, browser_app):
    driver = duo.driver
    engine = browser_app.server.config["DASHBOARD_ENGINE"]
    visit(duo, "/", "document.querySelector('#admin-link')")
    click(driver, in_user_menu(driver, "admin-link"))
    wait_for(driver, "document.querySelector('#accounts-table')")
    driver.find_element("id", "new-login").send_keys("ny.person@kommun.se")
    driver.find_element("id", "new-name").send_keys("Ny Person")
    click(driver, driver.find_element("id", "new-account"))
    wait_for(driver, "document.querySelector('#one-time-password')")
    password = driver.find_element("id", "one-time-password").text
    assert len(password) >= 12
    wait_for(driver, "document.querySelector(\"tr[data-login='ny.person@kommun.se']\")")

    def choose(dropdown: str, label: str) -> None:
        click(driver, driver.find_element("id", dropdown))
        search = driver.find_element("css selector", ".dash-dropdown-search")
        search.send_keys(label)
        wait_for(driver, "document.querySelector('.dash-options-list-option')")
        click(driver, driver.find_element("css selector", ".dash-options-list-option"))

    choose("grant-login", "ny.person")
    choose("grant-role", "läsare")
    choose("grant-agreement", "jarfalla-af-2023")
    click(driver, driver.find_element("id", "grant-role-button"))
    wait_for(driver, "document.querySelector('#admin-done') && "
                     "document.querySelector('#admin-done').innerText.includes('läsare')")
    account = store.account_by_login(engine, "ny.person@kommun.se")
    assert store.roles_of(engine, account["id"]) == [
        {"agreement_id": "jarfalla-af-2023", "cluster_id": "", "role": "viewer"}]
    chip = "tr[data-login='ny.person@kommun.se'] .role-chip button"
    # (at the bottom of a short page, under Dash's debug menu in the test app)
    driver.execute_script("arguments[0].click()", driver.find_element("css selector", chip))
    wait_for(driver, f"!document.querySelector(\"{chip}\")")
    assert store.roles_of(engine, account["id"]) == []
    visit(duo, "/admin/audit", "document.querySelector('#audit-table')")
    shown = driver.execute_script(
        "return Array.from(document.querySelectorAll('#audit-table tbody tr'))"
        ".slice(0, 3).map(tr => tr.dataset.action)")
    assert shown == ["role_revoked", "role_granted", "account_added"]


def test_a_page_open_when_the_session_ends_goes_to_the_sign_in(duo, browser_app):
    """Signed out elsewhere (or disabled): the next callback is refused with 401 and the
    page goes to the sign-in, which brings the reader back to the same view."""
    driver = duo.driver
    engine = browser_app.server.config["DASHBOARD_ENGINE"]
    with signed_in_as(duo, "lasare", next_path=KRAMI + "?period=2023-H1"):
        wait_for(driver, VIEW)
        store.delete_sessions_of(engine, store.account_by_login(engine, "lasare")["id"])
        click(driver, driver.find_element("id", "period-next"))
        wait_for(driver, "document.querySelector('#sign-in-form')")
        assert "next=%2Fagreements%2Fkrami-sthlm-2023%3Fperiod%3D2023-H1" in driver.current_url
        errors = [e for e in duo.get_logs() if "401" not in e["message"]]
        assert errors == []
    duo.reset_log_timestamp()


def fill(driver, element_id: str, text: str) -> None:
    field = driver.find_element("id", element_id)
    field.clear()
    field.send_keys(text)


@pytest.mark.parametrize("own_password", [True, False], ids=["chosen", "generated"])
def test_the_first_administrator_signs_in_with_the_password_they_set_or_were_shown(
        duo, tmp_path, own_password):
    """``make run`` on a fresh database (an app of its own: no account yet), Administration:
    the first account is an administrator; its password is chosen (typed twice: a
    mismatch is said first) or generated and shown once; nothing of the page calls the
    server afterwards (it would be refused: the local administrator is gone), and the
    "sign in" button brings them to the sign-in with their name filled in, then back."""
    driver = duo.driver
    log = tmp_path / "app.log"
    try:
        with serving(f"sqlite:///{tmp_path / 'first.sqlite'}", "app", log=log,
                     LOAD_DEMO="0") as base:
            driver.delete_all_cookies()
            driver.get(base + "/admin")
            wait_for(driver, "document.querySelector('#new-login') && "
                             "document.querySelector('#local-admin-banner')")
            assert "Det första kontot blir administratör" in text(duo)
            admin_box = driver.find_element("css selector", "#new-admin input")
            assert admin_box.is_selected() and not admin_box.is_enabled()
            fill(driver, "new-login", "Anna.Admin")
            fill(driver, "new-name", "Anna Admin")
            chosen = "Egna-Stjärnor-Över-Sjön"
            if own_password:
                fill(driver, "new-password", chosen)
                fill(driver, "new-password-again", chosen + "x")
                click(driver, driver.find_element("id", "new-account"))
                wait_for(driver, "document.querySelector('#admin-refused')")
                assert "Lösenorden är inte lika" in driver.find_element(
                    "id", "admin-refused").text
                assert driver.find_element("id", "new-password").get_attribute("value") == ""
                fill(driver, "new-password", chosen)
                fill(driver, "new-password-again", chosen)
            click(driver, driver.find_element("id", "new-account"))
            wait_for(driver, "document.querySelector('#admin-first-done')")
            done = driver.find_element("id", "admin-first-done").text
            assert "Ditt administratörskonto ”anna.admin” är skapat." in done
            assert "users password anna.admin" in done
            assert not driver.find_element("id", "admin-forms").is_displayed()
            if own_password:
                assert not driver.find_elements("id", "one-time-password")
                password = chosen
            else:
                password = driver.find_element("id", "one-time-password").text
                assert len(password) == 16 and "visas bara nu" in done
            click(driver, driver.find_element("id", "first-sign-in"))
            wait_for(driver, "document.querySelector('#sign-in-form')")
            assert driver.find_element("id", "login").get_attribute("value") == "anna.admin"
            driver.find_element("id", "password").send_keys(password + "\n")
            wait_for(driver, "document.querySelector('#accounts-table tr[data-login]')")
            assert driver.current_url == base + "/admin"
            assert driver.find_element("id", "user-name").text == "Anna Admin"
            assert not driver.find_elements("id", "local-admin-banner")
        # Not one call of the page was refused on the way (none sent it to the sign-in).
        assert " 401 " not in log.read_text()
    finally:
        sign_in_again(duo)  # the session's app again (the other one set its cookies)
