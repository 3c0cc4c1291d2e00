"""Exports and reports survive whatever text is stored, and no text becomes a formula."""

import io

from openpyxl import load_workbook

from shian.core.exports import xlsx_bytes


def test_control_characters_and_formulas_are_made_harmless():
    data = xlsx_bytes(
        "Businesses\x01",
        ["name", "address", "n", "none"],
        [
            ['=HYPERLINK("http://evil","x")', "海曙区\x01\x0b路1号", 7, None],
            ["+86 574", "@SUM(A1)", -3, "-1+2"],
        ],
    )
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == '\'=HYPERLINK("http://evil","x")'
    assert rows[0][1] == "海曙区路1号"
    assert rows[0][2] == 7 and rows[0][3] in ("", None)
    assert rows[1] == ("'+86 574", "'@SUM(A1)", -3, "'-1+2")
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_the_business_export_survives_a_control_character_in_the_database(db, users, web, city):
    from shian.registry.tests.factories import BusinessFactory

    BusinessFactory(region=city["haishu_grid"], name="=1+1", address="海曙区\x01路")
    response = web(users["haishu"]).get("/registry/businesses/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c for row in ws.iter_rows(min_row=2, values_only=True) for c in row]
    assert "'=1+1" in values and "海曙区路" in values
