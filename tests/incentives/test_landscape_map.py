"""The landscape map: every surveyed CCG on its ICB's tile, the tile layout sound, the regions true to the ODS
practice list, and `gainshare landscape --png` writing a PNG."""

from __future__ import annotations

import csv
import struct
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gainshare.adapters.icb_tiles import load_icb_tiles, parse_icb_tiles
from gainshare.adapters.landscape import load_landscape
from gainshare.domain.errors import InvalidInputError
from gainshare.domain.incentives import SurveyStatus
from gainshare.interfaces.cli.main import app
from gainshare.reports.landscape_map import tile_counts
from tests.incentives.test_landscape import SHARED

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_there_is_one_tile_per_icb_in_seven_regions() -> None:
    tiles = load_icb_tiles()
    assert len(tiles) == 42 == len({tile.icb_code for tile in tiles})
    assert len({(tile.col, tile.row) for tile in tiles}) == 42
    regions = Counter(tile.region_name for tile in tiles)
    assert regions == {
        "Midlands": 11, "South West": 7, "East of England": 6, "South East": 6, "London": 5,
        "North East and Yorkshire": 4, "North West": 3,
    }  # fmt: skip


def test_each_region_is_one_connected_group_of_tiles() -> None:
    tiles = load_icb_tiles()
    for region in {tile.region_code for tile in tiles}:
        cells = {(tile.col, tile.row) for tile in tiles if tile.region_code == region}
        seen, todo = set(), [next(iter(cells))]
        while todo:
            col, row = todo.pop()
            if (col, row) in seen:
                continue
            seen.add((col, row))
            todo.extend(
                cell for cell in ((col + 1, row), (col - 1, row), (col, row + 1), (col, row - 1)) if cell in cells
            )
        assert seen == cells, region


def test_every_surveyed_ccg_lands_on_its_icbs_tile() -> None:
    counted = {item.tile.icb_code: item for item in tile_counts(load_icb_tiles(), load_landscape())}
    assert sum(len(item.entries) for item in counted.values()) == 60
    assert sum(item.count(SurveyStatus.PLANNING) for item in counted.values()) == 22
    north_east_london = counted["QMF"]
    assert (north_east_london.count(SurveyStatus.FEDERATED), len(north_east_london.entries)) == (4, 5)
    assert counted["QK1"].count(SurveyStatus.PLANNING) == 3  # East Leicestershire and Rutland among them
    assert counted["QKS"].entries == ()  # Kent and Medway: no CCG named in the survey


def test_a_ccg_whose_icb_has_no_tile_is_an_error() -> None:
    tiles = tuple(tile for tile in load_icb_tiles() if tile.icb_code != "QMF")
    with pytest.raises(ValueError, match="no tile for the ICB\\(s\\) QMF"):
        tile_counts(tiles, load_landscape())


def test_a_damaged_layout_is_refused() -> None:
    text = (
        "icb_code,label,region_code,region_name,col,row\nQAA,A,Y56,London,1,1\nQBB,B,Y56,London,1,1\nQCC,C,Y56,X,a,1\n"
    )
    with pytest.raises(InvalidInputError) as caught:
        parse_icb_tiles(text, "tiles.csv")
    assert [issue.code for issue in caught.value.issues] == ["tiles.position", "tiles.row"]


@pytest.mark.skipif(not (SHARED / "epraccur.csv").exists(), reason="the real NHS files are not here")
def test_regions_agree_with_the_ods_practice_list() -> None:
    regions: dict[str, Counter[str]] = {}
    with (SHARED / "epraccur.csv").open(encoding="latin-1", newline="") as handle:
        for row in csv.reader(handle):
            if row[12] == "A" and row[3].startswith("Q") and row[3] != "Q99":
                regions.setdefault(row[3], Counter())[row[2]] += 1
    assert {code: counts.most_common(1)[0][0] for code, counts in regions.items()} == {
        tile.icb_code: tile.region_code for tile in load_icb_tiles()
    }


def test_landscape_png_writes_a_picture(tmp_path: Path) -> None:
    out = tmp_path / "maps" / "landscape.png"
    result = CliRunner().invoke(app, ["landscape", "--status", "planning", "--png", str(out)])
    assert result.exit_code == 0, result.output
    assert "22 CCGs" in result.output and "schematic tile map" in result.output
    data = out.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    assert width > 800 and height > width
