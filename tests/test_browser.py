"""The pages in a real headless browser (issue 3, item 3): Debian's Chromium driven by chromedriver through
Selenium, against the real `ldpub serve` on 127.0.0.1. Load the telegram page, follow the mention of Pak
Seong-cheol to his page and the link back, with no console errors; save a screenshot of each page.

Set ``BROWSER_SCREENSHOTS=DIR`` to keep the screenshots (docs/screenshot-telegram.png was made that way).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ldpub.build import BuildReport
from ldpub.settings import Settings

from .servers import ldpub_server

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (test extra)")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.wait import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
DOC = "/doc/document/prc-fma-118-01025-02"
PERSON = "/doc/person/pak-seong-cheol"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)",
    ),
]


@pytest.fixture(scope="module")
def server(built: tuple[Settings, BuildReport]) -> Iterator[str]:
    with ldpub_server(built[0].store) as url:
        yield url


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1800",
        f"--user-data-dir={tmp_path / 'profile'}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def _severe(driver: webdriver.Chrome) -> list[str]:
    return [str(entry["message"]) for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_follow_a_mention_to_the_person_and_back(
    server: str, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    shots = Path(os.environ.get("BROWSER_SCREENSHOTS") or tmp_path)
    wait = WebDriverWait(browser, 15)

    browser.get(server + DOC)
    assert browser.title.startswith("Telegram from the Ministry of Foreign Affairs")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert "Ethnic Koreans Crossing the Border to Korea" in heading
    mention = browser.find_element(By.CSS_SELECTOR, f'#text a[href="{PERSON}"]')
    assert mention.text == "Pak Seong-cheol [Pak Song Chol]"
    background = mention.find_element(By.XPATH, "..").value_of_css_property("background-color")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), "the mention is highlighted"
    assert browser.save_screenshot(str(shots / "screenshot-telegram.png"))
    assert not _severe(browser)

    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", mention)
    mention.click()
    wait.until(expected_conditions.url_contains(PERSON))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Pak Seong-cheol"
    back = browser.find_element(By.CSS_SELECTOR, f'a.doc-link[href="{DOC}"]')
    assert browser.save_screenshot(str(shots / "screenshot-person.png"))
    assert not _severe(browser)

    back.click()
    wait.until(expected_conditions.url_contains(DOC))
    assert "Ethnic Koreans Crossing the Border to Korea" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.ID, "point-4b")  # the anchors are there to cite
    assert not _severe(browser)


def test_a_quoted_mention_lands_on_its_anchor(server: str, browser: webdriver.Chrome) -> None:
    browser.get(server + PERSON)
    quote = browser.find_element(By.CSS_SELECTOR, "a.quote")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", quote)
    quote.click()
    WebDriverWait(browser, 15).until(expected_conditions.url_contains("#ann-1577-1608"))
    target = browser.execute_script("return document.querySelector(':target').id")
    assert target == "ann-1577-1608"
    assert not _severe(browser)


def test_label_search_from_the_home_page(server: str, browser: webdriver.Chrome) -> None:
    browser.get(server + "/")
    box = browser.find_element(By.ID, "home-q")
    box.send_keys("yalu")
    box.submit()
    WebDriverWait(browser, 15).until(expected_conditions.url_contains("/search?q=yalu"))
    results = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a.result")]
    assert results == [server + "/doc/place/yalu-river"]
    assert not _severe(browser)
