"""The schematic tile layout of England's 42 ICBs shipped with the package (gainshare/data/icb_tiles.csv).

One row per ICB (July 2022 onwards): its ODS code, a short label, its NHS England commissioning region (ODS code
and name), and a tile position (column, row; row 0 at the top). The regions are facts: each ICB's region is the
national grouping that NHS England's ODS practice list (epraccur) gives its practices (a test checks this against
the real file when it is present). The positions are not: they are a hand-made schematic that keeps each region's
tiles together and roughly where the region lies (north at the top, London in the south east). No ICB centroid or
boundary coordinates were available to the project offline with a source to cite, so the map is a tile map, and it
says so on its face.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

from gainshare.domain.errors import InvalidInputError
from gainshare.domain.issues import Issue, Source

PACKAGED = "icb_tiles.csv"
_COLUMNS = ("icb_code", "label", "region_code", "region_name", "col", "row")


@dataclass(frozen=True, slots=True)
class IcbTile:
    icb_code: str
    label: str
    region_code: str
    region_name: str
    col: int
    row: int


def load_icb_tiles() -> tuple[IcbTile, ...]:
    """The packaged layout; InvalidInputError if the file has been damaged."""
    text = resources.files("gainshare.data").joinpath(PACKAGED).read_text(encoding="utf-8")
    return parse_icb_tiles(text, f"gainshare/data/{PACKAGED}")


def parse_icb_tiles(text: str, name: str) -> tuple[IcbTile, ...]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise InvalidInputError([Issue("tiles.header", f"expected the columns {', '.join(_COLUMNS)}", Source(name))])
    tiles: list[IcbTile] = []
    issues: list[Issue] = []
    taken: dict[tuple[int, int], str] = {}
    for number, row in enumerate(reader, start=2):
        try:
            tile = IcbTile(row["icb_code"], row["label"], row["region_code"], row["region_name"], int(row["col"]),
                           int(row["row"]))  # fmt: skip
        except ValueError as error:
            issues.append(Issue("tiles.row", str(error), Source(file=name, row=number)))
            continue
        where = (tile.col, tile.row)
        if where in taken:
            message = f"{tile.icb_code} is on the same tile as {taken[where]}"
            issues.append(Issue("tiles.position", message, Source(file=name, row=number)))
        taken[where] = tile.icb_code
        tiles.append(tile)
    if issues:
        raise InvalidInputError(issues)
    return tuple(tiles)
