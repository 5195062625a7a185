"""A property-based fuzz of the whole REST API from its OpenAPI description (schemathesis).

Every operation is called with generated requests — valid ones (``positive``) and ones the schema
forbids (``negative``) — as each given user, in process through the WSGI application, on whatever
database the tests run on. What counts as a defect: any 5xx; an error answered in anything but the
JSON error shape, or with a message not in Chinese (a library's English); a success that does not
match the operation's documented response. Path ids are drawn half of the time from records that
exist, so writes reach real rows and not only 404s.

``tests/test_api_fuzz.py`` runs it bounded (``FEIDI_FUZZ_EXAMPLES`` examples per operation, mode and
user); a longer run is the same test with a bigger number.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field

ERROR_KEYS = {"code", "message"}
CJK = re.compile(r"[\u4e00-\u9fff]")  # an error message a person reads is Chinese, never a library's English


@dataclass
class Finding:
    operation: str
    user: str
    status: int
    kind: str  # server_error | error_shape | language | schema
    detail: str
    reproduce: str


@dataclass
class Report:
    cases: int = 0
    statuses: Counter = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)
    unsatisfiable: set[str] = field(default_factory=set)

    def count(self, kind: str) -> int:
        return sum(1 for f in self.findings if f.kind == kind)

    def summary(self) -> str:
        return (f"{self.cases} cases, {self.count('server_error')} server errors (5xx), "
                f"{self.count('error_shape')} errors not in the JSON shape, {self.count('language')} not in Chinese, "
                f"{self.count('schema')} schema failures; "
                f"statuses {dict(sorted(self.statuses.items()))}")


@contextlib.contextmanager
def _requests_keep_the_test_connection():
    """Django closes 'old' connections around each request; inside a test transaction that would
    close the test's own connection. The test client disconnects the same handlers."""
    from django.core.signals import request_finished
    from django.core.signals import request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _as_each(check, users: dict[str, str]):
    """One generated case sent as every user in turn: the cases are generated once, not once a user
    (with a fixed seed each user's run drew the very same cases, and drawing them is two thirds of
    the fuzz's time)."""
    def run(case):
        for name, token in users.items():
            check(case, name, token)

    return run


def fuzz(users: dict[str, str], *, examples: int, path_ids: dict[str, list[int]] | None = None,
         modes: tuple[str, ...] = ("positive", "negative"), seed: int | None = 0) -> Report:
    """Call every operation as every user: ``users`` maps a name to its API token; ``path_ids``
    maps an operation path to ids of existing records to use as ``{pk}`` half of the time."""
    import schemathesis
    from django.core.handlers.wsgi import WSGIHandler
    from hypothesis import HealthCheck
    from hypothesis import Phase
    from hypothesis import given
    from hypothesis import seed as hypothesis_seed
    from hypothesis import settings
    from hypothesis import strategies as st
    from hypothesis.errors import Unsatisfiable
    from schemathesis.generation import GenerationMode

    from feidi.core.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    app = WSGIHandler()
    report = Report()
    path_ids = path_ids or {}

    def check(case, name: str, token: str) -> None:
        response = case.call(app=app, headers={"Authorization": f"Bearer {token}"})
        report.cases += 1
        report.statuses[response.status_code] += 1
        label = f"{case.method} {case.operation.path}"

        def found(kind: str, detail: str) -> None:
            report.findings.append(Finding(label, name, response.status_code, kind, detail[:500],
                                           case.as_curl_command()[:1000]))

        if response.status_code >= 500:
            found("server_error", response.text)
            return
        if response.status_code >= 400:
            try:
                body = json.loads(response.text)
            except ValueError:
                body = None
            if not isinstance(body, dict) or not ERROR_KEYS <= set(body):
                found("error_shape", response.text)
                return
            fields = body.get("fields") if isinstance(body.get("fields"), dict) else {}
            said = [body["message"], *(m for messages in fields.values() for m in messages)]
            english = [str(m) for m in said if not CJK.search(str(m))]
            if english:
                found("language", " | ".join(english))
            return
        try:
            case.operation.validate_response(response, case=case)
        except Exception as exc:  # the response does not match the documented schema
            found("schema", str(exc))

    run_settings = settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                            suppress_health_check=list(HealthCheck))
    with _requests_keep_the_test_connection():
        for result in schema.get_all_operations():
            operation = result.ok()
            for mode in modes:
                strategy = operation.as_strategy(generation_mode=GenerationMode(mode))
                ids = path_ids.get(operation.path)
                if ids and mode == "positive":
                    strategy = st.one_of(strategy, *[operation.as_strategy(path_parameters={"pk": pk}) for pk in ids])
                run = run_settings(given(case=strategy)(_as_each(check, users)))
                if seed is not None:
                    run = hypothesis_seed(seed)(run)
                try:
                    run()
                except Unsatisfiable:  # nothing of this mode to generate (a negative case of no input)
                    report.unsatisfiable.add(f"{operation.method.upper()} {operation.path} ({mode})")
    return report
