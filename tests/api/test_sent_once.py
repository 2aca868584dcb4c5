"""The fuzz tests' WSGI wrapper (tests/api/fuzzing.py) sends every distinct request to
the application once and answers a repeat with what the first got: a request that
differs in any part the API reads still reaches it."""

import io

from tests.api.fuzzing import SentOnce


def _environ(method="GET", path="/api/v1/customers/5", query="", body=b"", **headers):
    return {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "CONTENT_TYPE": "application/json" if body else "",
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "wsgi.input": io.BytesIO(body),
        "HTTP_AUTHORIZATION": "Bearer fuzz",
        **headers,
    }


def test_a_repeated_request_is_answered_without_reaching_the_application_again():
    received = []

    def app(environ, start_response):
        received.append(environ["wsgi.input"].read())
        start_response("404 Not Found", [("Content-Type", "application/json")])
        return [b'{"detail": "', str(len(received)).encode(), b'"}']

    sent_once = SentOnce(app)
    answers = []
    for environ in (
        _environ(HTTP_X_SCHEMATHESIS_TESTCASEID="a"),
        _environ(HTTP_X_SCHEMATHESIS_TESTCASEID="b"),  # the same request, another case id
        _environ(query="q=1"),
        _environ(method="POST", body=b'{"a": 1}'),
        _environ(method="POST", body=b'{"a": 2}'),
        _environ(method="POST", body=b'{"a": 2}'),
        _environ(HTTP_AUTHORIZATION="Bearer other"),
    ):
        statuses: list[str] = []
        body = b"".join(sent_once(environ, lambda status, _headers, s=statuses: s.append(status)))
        answers.append((statuses, body))

    assert received == [b"", b"", b'{"a": 1}', b'{"a": 2}', b""]
    assert [body for _statuses, body in answers] == [
        b'{"detail": "1"}',
        b'{"detail": "1"}',
        b'{"detail": "2"}',
        b'{"detail": "3"}',
        b'{"detail": "4"}',
        b'{"detail": "4"}',
        b'{"detail": "5"}',
    ]
    assert all(statuses == ["404 Not Found"] for statuses, _body in answers)
