"""The page of `edge serve` in Debian's headless Chromium, driven by Selenium through chromium-driver."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.serve.conftest import wait_for

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or ("/usr/lib/chromium/chromedriver"
                                          if os.path.exists("/usr/lib/chromium/chromedriver") else None)
# Where the screenshot goes besides the test's own folder (README's picture is made this way).
SCREENSHOT_ENV = "SERVE_SCREENSHOT"


@pytest.fixture
def browser():
    if CHROMIUM is None or DRIVER is None:
        message = "chromium and chromium-driver are not installed (apt-get install chromium chromium-driver)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1500",
                     "--disable-gpu"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _text(driver, element_id: str) -> str:
    return driver.execute_script(f"return document.getElementById('{element_id}').textContent")


def _labels(driver, element_id: str) -> str:
    """The digits shown in a reading block, without their confidences."""
    return driver.execute_script(
        f"return [...document.querySelectorAll('#{element_id} .digit b')].map(b => b.textContent).join('')")


def _draw_a_one(driver) -> None:
    """A vertical stroke down the middle of the pad, as pointer events from a mouse."""
    from selenium.webdriver.common.action_chains import ActionChains
    pad = driver.find_element("id", "pad")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", pad)
    size = pad.size
    actions = ActionChains(driver)
    actions.move_to_element_with_offset(pad, 0, -int(size["height"] * 0.3)).click_and_hold()
    for _ in range(12):
        actions.move_by_offset(0, int(size["height"] * 0.05))
    actions.release().perform()


def test_the_page_live_upload_and_drawing(browser, served, demo_video, photos_dir, tmp_path):
    browser.get(served.url)
    # The reading changes as the video plays.
    seen = set()

    def readings() -> bool:
        text = _labels(browser, "reading")
        if text:
            seen.add(text)
        return len(seen) >= 2
    wait_for(readings, 60, "the reading on the page to change")
    assert seen <= set(demo_video.texts), (seen, demo_video.texts)
    assert wait_for(lambda: browser.execute_script(
        "const s = document.getElementById('stream'); return s.complete && s.naturalWidth"), 30,
        "a frame in the MJPEG image") == 640
    wait_for(lambda: _text(browser, "status") == "reading", 10, "the status pill")
    assert "FPS" in _text(browser, "fps")
    assert wait_for(lambda: browser.execute_script(
        "return document.getElementById('crops').naturalWidth"), 20, "the crops strip") > 0
    assert "inference" in _text(browser, "stages")

    _draw_a_one(browser)
    wait_for(lambda: "read as" in _text(browser, "draw-text"), 30, "the drawing to be classified")
    assert _text(browser, "draw-text").startswith("read as 1"), _text(browser, "draw-text")
    bars = browser.find_elements("css selector", "#bars .bar")
    assert len(bars) == 10

    browser.execute_script("window.scrollTo(0, 0)")
    shot = tmp_path / "serve-page.png"
    browser.save_screenshot(str(shot))
    if os.environ.get(SCREENSHOT_ENV):
        shutil.copy(shot, os.environ[SCREENSHOT_ENV])

    photo = sorted(photos_dir.glob("*.jpg"))[0]
    expected = served.post("/api/predict", photo.read_bytes(), "image/jpeg")[1]["text"]
    browser.find_element("id", "file").send_keys(str(photo))
    wait_for(lambda: not browser.find_element("id", "upload").get_attribute("hidden"), 60, "the upload's boxes")
    shown = _labels(browser, "upload-text")
    assert shown == expected and len(expected) > 0

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not errors, errors
