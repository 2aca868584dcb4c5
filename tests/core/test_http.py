"""core.http: downloads keep their file name, whatever characters it has."""

from panorama.core.http import csv_download


def test_a_download_keeps_a_name_that_is_not_ascii():
    response = csv_download(iter(["a,b\n"]), "clientes-año €.csv")

    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''clientes-a%C3%B1o%20%E2%82%AC.csv"
    )
    assert b"".join(response.streaming_content) == b"a,b\n"


def test_a_quote_in_the_name_cannot_end_it_early():
    response = csv_download(iter([]), 'customers "all".csv')
    assert response["Content-Disposition"] == 'attachment; filename="customers \\"all\\".csv"'
