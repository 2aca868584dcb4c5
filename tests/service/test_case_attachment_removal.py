"""Removing a file attached by mistake: an agent who may change the case removes it (on
the page, after a confirmation, or through the API); it is no longer listed nor
downloadable, the thread and the customer's timeline say who removed what and when,
and who may not see or change the case is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from panorama.accounts.models import Role
from panorama.channels.models import Interaction
from panorama.core.exceptions import Conflict, NotFound, PermissionDenied
from panorama.service import selectors
from panorama.service.models import CaseAttachment
from panorama.service.services.attachment import (
    case_attachment_remove,
    case_attachment_restore,
)
from panorama.service.services.case import case_message_add, case_open

from ..factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agent():
    return UserFactory(username="eva", first_name="Eva", last_name="Gil", role=Role.SERVICE_AGENT)


@pytest.fixture
def case(agent):
    ana = CustomerFactory(first_name="Ana", owner=UserFactory(), team=TeamFactory(name="Sur"))
    return case_open(by=agent, customer_id=ana.pk, subject="Factura duplicada")


@pytest.fixture
def reply(agent, case):
    return case_message_add(
        by=agent,
        case_id=case.pk,
        body="Le adjunto la factura.",
        attachments=[("factura-de-otro.pdf", PDF), ("factura.pdf", PDF)],
    )


def _file(reply, name) -> CaseAttachment:
    return reply.attachments.get(filename=name)


def test_a_removed_file_is_no_longer_listed_nor_downloadable(
    agent, case, reply, client, api_as, emitted
):
    wrong = _file(reply, "factura-de-otro.pdf")
    with emitted() as events:
        removed = case_attachment_remove(by=agent, case_id=case.pk, attachment_id=wrong.pk)
    assert removed.removed_by == agent and removed.removed_at is not None
    assert [a.filename for a in selectors.case_attachments(case=case)] == ["factura.pdf"]
    assert (
        "case.attachment_removed",
        {
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "attachment_id": wrong.pk,
            "message_id": reply.pk,
            "filename": "factura-de-otro.pdf",
            "by": agent.pk,
        },
    ) in events

    client.force_login(agent)
    download = client.get(f"/service/cases/{case.pk}/files/{wrong.pk}/")
    assert download.status_code == 404
    assert "factura-de-otro.pdf was removed from the case" in download.content.decode()
    api = api_as(agent)
    assert api.get(f"/cases/{case.pk}/files/{wrong.pk}").status_code == 404
    assert [f["filename"] for f in api.get(f"/cases/{case.pk}/files").json()] == ["factura.pdf"]
    [message] = api.get(f"/cases/{case.pk}/messages").json()
    assert [f["filename"] for f in message["attachments"]] == ["factura.pdf"]
    # The file stays in storage (an administrator can still restore it).
    assert wrong.file.storage.exists(wrong.file.name)


def test_the_timeline_records_who_removed_what_and_the_reply_entry_forgets_it(agent, case, reply):
    wrong = _file(reply, "factura-de-otro.pdf")
    case_attachment_remove(by=agent, case_id=case.pk, attachment_id=wrong.pk)
    note = Interaction.objects.get(metadata__attachment_id=wrong.pk)
    assert note.subject == f"Case {case.reference}: file factura-de-otro.pdf removed"
    assert note.agent == agent and note.direction == "internal" and note.channel == "note"
    assert note.customer_id == case.customer_id
    reply.interaction.refresh_from_db()
    assert reply.interaction.metadata["files"] == ["factura.pdf"]


def test_removing_twice_is_a_conflict_naming_who_did_it(agent, case, reply):
    wrong = _file(reply, "factura-de-otro.pdf")
    case_attachment_remove(by=agent, case_id=case.pk, attachment_id=wrong.pk)
    with pytest.raises(Conflict) as error:
        case_attachment_remove(by=agent, case_id=case.pk, attachment_id=wrong.pk)
    assert "factura-de-otro.pdf was already removed by Eva Gil on" in str(error.value.message)


def test_who_may_not_see_or_change_the_case_cannot_remove(agent, case, reply):
    wrong = _file(reply, "factura-de-otro.pdf")
    with pytest.raises(PermissionDenied):
        case_attachment_remove(
            by=UserFactory(role=Role.ANALYST), case_id=case.pk, attachment_id=wrong.pk
        )
    rep = UserFactory(role=Role.SALES_REP, teams=[TeamFactory(name="Norte")])
    with pytest.raises(NotFound):
        case_attachment_remove(by=rep, case_id=case.pk, attachment_id=wrong.pk)
    other = case_open(by=agent, customer_id=case.customer_id, subject="Otra")
    with pytest.raises(NotFound):
        case_attachment_remove(by=agent, case_id=other.pk, attachment_id=wrong.pk)
    assert not CaseAttachment.objects.filter(removed_at__isnull=False).exists()


def test_the_api_removes_with_204_and_answers_403_404_409_with_a_message(
    api_as, agent, case, reply
):
    wrong = _file(reply, "factura-de-otro.pdf")
    url = f"/cases/{case.pk}/files/{wrong.pk}"
    read_only = api_as(UserFactory(role=Role.ANALYST)).delete(url)
    assert read_only.status_code == 403
    assert read_only.json()["detail"] == "Your role can read cases but not change them."
    rep = UserFactory(role=Role.SALES_REP, teams=[TeamFactory(name="Norte")])
    hidden = api_as(rep).delete(url)
    assert hidden.status_code == 404 and "is not visible to you" in hidden.json()["detail"]
    assert api_as(agent).delete(f"/cases/{case.pk}/files/999999").status_code == 404

    assert api_as(agent).delete(url).status_code == 204
    again = api_as(agent).delete(url)
    assert again.status_code == 409 and "was already removed" in again.json()["detail"]
    assert api_as(agent).get(url).status_code == 404


def test_the_page_removes_a_file_after_a_confirmation(agent, case, reply, client):
    wrong = _file(reply, "factura-de-otro.pdf")
    client.force_login(agent)
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    action = f"/service/cases/{case.pk}/files/{wrong.pk}/remove/"
    assert f'action="{action}"' in page and "data-confirm=" in page
    assert "Remove factura-de-otro.pdf from the case?" in page

    response = client.post(action, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "factura-de-otro.pdf removed from the case." in page
    # No download link nor remove button any more (only the restore form).
    assert action not in page and f'href="/service/cases/{case.pk}/files/{wrong.pk}/"' not in page
    assert "<del>factura-de-otro.pdf</del> removed by Eva Gil" in page
    again = client.post(action)
    assert again.status_code == 409 and "was already removed" in again.content.decode()
    # A read-only role sees no remove button and is refused.
    client.force_login(UserFactory(role=Role.ANALYST))
    right = _file(reply, "factura.pdf")
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert "factura.pdf" in page and "/remove/" not in page
    assert client.post(f"/service/cases/{case.pk}/files/{right.pk}/remove/").status_code == 403


def test_the_case_page_reads_in_the_same_queries_however_many_files(
    agent, case, client, django_assert_max_num_queries
):
    client.force_login(agent)

    def attach(n: int) -> None:
        note = case_message_add(
            by=agent,
            case_id=case.pk,
            kind="note",
            body=f"nota {n}",
            attachments=[(f"a{n}.txt", b"a"), (f"b{n}.pdf", PDF)],
        )
        case_attachment_remove(by=agent, case_id=case.pk, attachment_id=note.attachments.first().pk)

    attach(0)
    client.get(f"/service/cases/{case.pk}/")
    with django_assert_max_num_queries(40) as few:
        assert client.get(f"/service/cases/{case.pk}/").status_code == 200
    for n in range(1, 5):
        attach(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/service/cases/{case.pk}/").content.decode()
    # Each removed file is said on the thread and listed with its restore form.
    assert page.count("removed by Eva Gil") == 10 and page.count("/remove/") == 5
    assert page.count("/restore/") == 5


def test_a_notes_file_uploaded_on_the_page_is_removed_there(agent, case, client):
    client.force_login(agent)
    client.post(
        f"/service/cases/{case.pk}/messages/",
        {"kind": "note", "body": "x", "attachments": [SimpleUploadedFile("x.txt", b"x")]},
    )
    file = CaseAttachment.objects.get(filename="x.txt")
    assert client.post(f"/service/cases/{case.pk}/files/{file.pk}/remove/").status_code == 302
    file.refresh_from_db()
    assert file.removed_by == agent
    # A note has no timeline entry of its own: only the removal is on the timeline.
    assert Interaction.objects.filter(metadata__attachment_id=file.pk).count() == 1


def test_a_removed_file_is_restored_listed_and_downloadable_again(
    agent, case, reply, client, api_as, emitted
):
    wrong = _file(reply, "factura-de-otro.pdf")
    case_attachment_remove(by=agent, case_id=case.pk, attachment_id=wrong.pk)
    with emitted() as events:
        restored = case_attachment_restore(by=agent, case_id=case.pk, attachment_id=wrong.pk)
    assert (restored.removed_at, restored.removed_by) == (None, None)
    assert [n for n, _ in events] == ["interaction.recorded", "case.attachment_restored"]
    assert sorted(a.filename for a in selectors.case_attachments(case=case)) == [
        "factura-de-otro.pdf",
        "factura.pdf",
    ]
    note = Interaction.objects.get(metadata__restored="factura-de-otro.pdf")
    assert note.subject == f"Case {case.reference}: file factura-de-otro.pdf restored"
    assert note.agent == agent and note.direction == "internal"
    reply.interaction.refresh_from_db()
    assert sorted(reply.interaction.metadata["files"]) == ["factura-de-otro.pdf", "factura.pdf"]
    client.force_login(agent)
    assert client.get(f"/service/cases/{case.pk}/files/{wrong.pk}/").status_code == 200
    with pytest.raises(Conflict) as error:
        case_attachment_restore(by=agent, case_id=case.pk, attachment_id=wrong.pk)
    assert "is not removed" in str(error.value.message)


def test_the_api_restores_and_answers_403_404_409(api_as, agent, case, reply):
    wrong = _file(reply, "factura-de-otro.pdf")
    url = f"/cases/{case.pk}/files/{wrong.pk}/restore"
    assert api_as(agent).post(url).status_code == 409  # not removed
    case_attachment_remove(by=agent, case_id=case.pk, attachment_id=wrong.pk)
    assert api_as(UserFactory(role=Role.ANALYST)).post(url).status_code == 403
    rep = UserFactory(role=Role.SALES_REP, teams=[TeamFactory(name="Norte")])
    hidden = api_as(rep).post(url)
    assert hidden.status_code == 404 and "is not visible to you" in hidden.json()["detail"]
    other = case_open(by=agent, customer_id=case.customer_id, subject="Otra")
    assert api_as(agent).post(f"/cases/{other.pk}/files/{wrong.pk}/restore").status_code == 404
    assert CaseAttachment.objects.get(pk=wrong.pk).removed_at is not None
    done = api_as(agent).post(url)
    assert done.status_code == 200 and done.json()["filename"] == "factura-de-otro.pdf"
    assert api_as(agent).get(f"/cases/{case.pk}/files/{wrong.pk}").status_code == 200


def test_the_page_lists_a_removed_file_with_restore_for_who_may_change_the_case(
    agent, case, reply, client
):
    wrong = _file(reply, "factura-de-otro.pdf")
    case_attachment_remove(by=agent, case_id=case.pk, attachment_id=wrong.pk)
    action = f"/service/cases/{case.pk}/files/{wrong.pk}/restore/"
    client.force_login(UserFactory(role=Role.ANALYST))
    assert action not in client.get(f"/service/cases/{case.pk}/").content.decode()
    assert client.post(action).status_code == 403
    client.force_login(agent)
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert f'action="{action}"' in page and "Restore factura-de-otro.pdf" in page
    done = client.post(action, follow=True).content.decode()
    assert "factura-de-otro.pdf restored to the case." in done
    assert f'href="/service/cases/{case.pk}/files/{wrong.pk}/"' in done
    assert action not in done


def test_the_restore_refusal_is_in_the_agents_language(api_as, case, reply):
    spaniard = UserFactory(role=Role.SERVICE_AGENT, language="es")
    wrong = _file(reply, "factura-de-otro.pdf")
    answer = api_as(spaniard).post(f"/cases/{case.pk}/files/{wrong.pk}/restore")
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "factura-de-otro.pdf no está eliminado: no hay nada que restaurar."
    )
