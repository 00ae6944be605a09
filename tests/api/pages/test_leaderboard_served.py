"""The demo's leaderboard over a real `medal serve`: two entries in the JSON and on the page (real Chromium,
axe-core finding no violation), and a member's hidden-split evaluation sent by `medal evaluate --to` over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from served import medal_server

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
TASK = "lung-nodule-exam-demo"
MEDAL = Path(sys.executable).with_name("medal")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """examples/demo_leaderboard.py run into a fresh catalog, served; yields (base URL, a member token, folder)."""
    folder = tmp_path_factory.mktemp("demo-board")
    db = folder / "demo.db"
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo_leaderboard.py"), "--catalog", f"sqlite:///{db}"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    token = subprocess.run(
        [str(MEDAL), "token", "create", "--role", "contributor", "--name", "dana", "--catalog", f"sqlite:///{db}"],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    token = token.strip().split()[-1]
    with medal_server(db, folder, MEDAL_EVALUATION_LIMIT="1") as base:
        yield base, token, folder


def test_demo_leaderboard_has_two_ranked_entries(demo):
    """Anonymous GET of the accepted demo task's leaderboard: two entries, the stronger first, not tied, each with
    an interval and a rank interval."""
    import httpx

    base, _, _ = demo
    board = httpx.get(f"{base}/api/tasks/{TASK}/leaderboard", timeout=30).json()
    assert [e["model_name"] for e in board["entries"]][:2] == ["cnn-3d", "radiomics-logistic"]
    first, second = board["entries"]
    assert first["tied_with_next"] is False and first["rank_interval"][0] == 1
    assert first["ci_low"] < first["value"] < first["ci_high"] and second["value"] < first["value"]


def test_medal_evaluate_to_server_then_limit(demo, tmp_path):
    """`medal evaluate --to` sends predictions for the hidden split, waits and prints the result; with
    MEDAL_EVALUATION_LIMIT=1 the second is refused with the reason."""
    base, token, _ = demo
    lines = ["case_id,malignant", *(f"tes-{i:03d},{(i % 7) / 7:.3f}" for i in range(120))]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(lines) + "\n")
    run = [
        str(MEDAL),
        "evaluate",
        TASK,
        str(path),
        "--split",
        "test_hidden",
        "--to",
        base,
        "--token",
        token,
        "--model",
        "dana-model",
        "--json",
    ]
    first = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    answer = json.loads(first.stdout)
    assert answer["status"] == "done" and answer["result"]["hidden"] is True and "tes-0" not in first.stdout
    second = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert second.returncode == 1 and "MEDAL_EVALUATION_LIMIT" in second.stderr


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
def test_leaderboard_page_in_a_browser(demo, tmp_path):
    """Chromium shows the leaderboard table with both models and the task page's section; axe-core finds no
    violation on either page."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import expect, sync_playwright

    base, _, _ = demo
    axe = Axe()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/tasks/{TASK}/leaderboard")
        rows = page.locator("table tbody tr")  # the demo's two, and dana's (an earlier test) last
        expect(rows).to_have_count(3)
        expect(rows.nth(0)).to_contain_text("cnn-3d")
        expect(rows.nth(1)).to_contain_text("radiomics-logistic")
        assert not axe.run(page).response["violations"]
        page.screenshot(path=str(tmp_path / "leaderboard.png"), full_page=True)
        page.goto(f"{base}/tasks/{TASK}")
        expect(page.locator("#leaderboard-heading")).to_be_visible()
        expect(page.locator("section", has=page.locator("#leaderboard-heading"))).to_contain_text("cnn-3d")
        assert not axe.run(page).response["violations"], axe.run(page).response["violations"]
        browser.close()
