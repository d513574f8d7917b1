"""The career map, rendered for real and looked at: lanes, highlights, audiences, formats."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread
from test_ladder import LADDER

from coach.career.map import CURRENT_FILL, draw_map, map_svg, save_map
from coach.errors import CareerError
from coach.index.ladder import build_ladder

ARTIFACTS = Path(__file__).parents[1] / "artifacts"


def test_the_sample_map_highlights_the_person_and_their_moves(lumenfield, tmp_path):
    ladder = lumenfield.ladder("csm")
    png = save_map(draw_map(ladder, "csm-2", ("senior-csm",)), tmp_path / "map.png")
    pixels = imread(png)[:, :, :3]
    height, width, _ = pixels.shape
    assert width > height > 400  # lanes side by side, levels stacked
    fill = np.array([int(CURRENT_FILL[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    # The person's own box is filled: a solid patch of its colour is on the map.
    assert (np.abs(pixels - fill).sum(axis=2) < 0.02).sum() > 2000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(png, ARTIFACTS / "career-map-csm-2.png")
    svg = save_map(draw_map(ladder, "csm-2"), tmp_path / "map.svg").read_text()
    for role_id in ladder.roles:
        assert role_id in svg
    assert "csm-2 (you)" in svg and "IC" in svg and "MANAGEMENT" in svg


def test_the_page_map_is_svg_with_text_of_12_px_and_up(lumenfield):
    figure = draw_map(lumenfield.ladder("csm"), "csm-2", ("senior-csm",))
    svg = map_svg(figure, "Career map for CSM II")
    assert svg.startswith("<svg") and 'role="img" aria-label="Career map for CSM II"' in svg
    width = int(re.search(r'<svg[^>]* width="(\d+)"', svg).group(1))
    view_width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
    # Text stays text; at the map's own size each font size (in the viewBox's units) is shown
    # at that times width / viewBox width, in CSS pixels.
    sizes = [float(size) for size in re.findall(r"font-size: ([\d.]+)px", svg)]
    sizes += [float(size) for size in re.findall(r"font: (?:bold )?([\d.]+)px", svg)]
    assert sizes and min(sizes) * width / view_width >= 12
    assert 'id="current-role"' in svg  # the page centres on it
    for role_id in ("csm-2 (you)", "senior-csm (target)"):
        assert role_id in svg


def test_a_persona_map_shows_only_the_roles_it_may_read(tmp_path):
    rows = [r | {"audience": "public"} for r in LADDER if r.get("role_id") in ("ic-1", "ic-2")]
    rows += [r for r in LADDER if r.get("role_id") == "ic-3"]
    public = build_ladder(rows, ("public",))
    svg = save_map(draw_map(public, "ic-1"), tmp_path / "candidate.svg").read_text()
    assert "ic-1" in svg and "ic-2" in svg
    assert "ic-3" not in svg


def test_bad_map_requests_are_one_line_errors(lumenfield, tmp_path):
    with pytest.raises(CareerError, match="none of the role pages is open to this persona"):
        draw_map(lumenfield.ladder("hiring_manager"))
    with pytest.raises(CareerError, match="unknown role 'ceo'"):
        draw_map(lumenfield.ladder("csm"), "ceo")
    figure = draw_map(lumenfield.ladder("csm"))
    with pytest.raises(CareerError, match=r"written as \.png or \.svg"):
        save_map(figure, tmp_path / "map.gif")
    with pytest.raises(CareerError, match="cannot write"):
        save_map(figure, tmp_path / "missing-folder" / "map.png")


def test_coach_map_writes_the_file_it_is_given(lumenfield, tmp_path):
    from helpers import KNOWLEDGE, run_cli

    base = ["map", "--knowledge", str(KNOWLEDGE), "--data", str(lumenfield.settings.data_dir)]
    done = run_cli(*base, "--role", "csm-1", "-o", str(tmp_path / "m.svg"))
    assert done.exit_code == 0, done.output
    assert (tmp_path / "m.svg").read_text().lstrip().startswith("<?xml")
    wrong = run_cli(*base, "-o", str(tmp_path / "m.gif"))
    assert wrong.exit_code == 2 and "write the map as .png or .svg" in wrong.stderr
