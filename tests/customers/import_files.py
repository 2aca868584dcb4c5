"""Files the import tests upload: built here, in the formats customers really send."""

import io

HEADER_ES = [
    "Nombre",
    "Apellidos",
    "DNI",
    "Teléfono",
    "Email",
    "Dirección",
    "Código postal",
    "Ciudad",
]
ROWS_ES = [
    [
        "Ana",
        "García López",
        "12345678Z",
        "600 11 22 33",
        "ana@example.com",
        "Calle Mayor 1",
        "28013",
        "Madrid",
    ],
    [
        "José",
        "Muñoz Peña",
        "87654321X",
        "+34 611 22 33 44",
        "jose@example.com",
        "Avda. de la Constitución 5",
        "41004",
        "Sevilla",
    ],
    ["Íñigo", "Ibáñez", "X1234567L", "622334455", "inigo@example.com", "", "", ""],
]


def csv_bytes(rows, header=HEADER_ES, delimiter=",", encoding="utf-8") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER_ES) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
