"""E-mail templates edited in the app, not only in the Django admin: administrators and
managers list, create and edit them in Spanish and English, and preview the text being
edited as a chosen customer (one they see) would get it. One service validates for the
page, the API and the admin: a merge field that does not exist (``customer.frist_name``)
is refused by name, never sent as a gap."""

import html

import pytest
from django.utils import translation

from panorama.accounts.models import Role
from panorama.channels.models import MailTemplate
from panorama.channels.outbound.services import mail_template_preview, mail_template_save
from panorama.core.exceptions import NotFound, PermissionDenied, ValidationFailed

from ..factories import CustomerFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(db, team):
    user = UserFactory(username="marta", role=Role.SALES_MANAGER)
    user.managed_teams.set([team])
    return user


@pytest.fixture
def lucia(team, rep):
    return CustomerFactory(
        first_name="Lucía", last_name="Vega", display_name="Lucía Vega", team=team, owner=rep
    )


def template(**changes):
    values = {"name": "Bienvenida", "language": "es", "subject": "Hola {{ customer.first_name }}"}
    return MailTemplate(**(values | {"body": "Estimada {{ customer.display_name }}"} | changes))


@pytest.mark.parametrize(
    ("field", "text", "named"),
    [
        ("body", "Hola {{ customer.frist_name }}", "customer.frist_name"),
        ("subject", "{% if customer.vip_level %}VIP{% endif %}", "customer.vip_level"),
        ("body", "{{ cliente.first_name }}", "cliente.first_name"),
        ("body", "{{ user.password }}", "user.password"),
        ("body", "{{ customer.first_name|default:customer.nickname }}", "customer.nickname"),
        ("body", "{% with n=customer.nick %}{{ n }}{% endwith %}", "customer.nick"),
    ],
)
def test_a_broken_merge_field_is_refused_by_name(admin_user, field, text, named):
    with pytest.raises(ValidationFailed) as refused:
        mail_template_save(by=admin_user, template=template(**{field: text}))
    assert refused.value.field == field and named in refused.value.message
    assert not MailTemplate.objects.exists()


def test_the_refusal_is_said_in_spanish_too(admin_user):
    with translation.override("es"), pytest.raises(ValidationFailed) as refused:
        mail_template_save(by=admin_user, template=template(body="{{ customer.frist_name }}"))
    assert refused.value.message.startswith("customer.frist_name no es un campo de combinación")


def test_good_merge_fields_loops_and_syntax_errors(admin_user):
    body = (
        "{{ customer.display_name }} {{ customer.owner.get_full_name }} {{ user.email }}\n"
        "{% for identity in customer.identities.all %}{{ identity.value }}{% endfor %}"
        "{% with name=customer.first_name %}{{ name|upper }}{% endwith %}"
    )
    saved = mail_template_save(by=admin_user, template=template(body=body))
    assert saved.pk
    with pytest.raises(ValidationFailed, match="not valid") as broken:
        mail_template_save(by=admin_user, template=template(name="B", body="{% if %}"))
    assert broken.value.field == "body"


def test_the_preview_is_for_a_customer_the_manager_sees(manager, rep, lucia):
    subject, body = mail_template_preview(by=manager, template=template(), customer_id=lucia.pk)
    assert (subject, body) == ("Hola Lucía", "Estimada Lucía Vega")
    stranger = CustomerFactory(team=TeamFactory(name="Otro"))
    with pytest.raises(NotFound):
        mail_template_preview(by=manager, template=template(), customer_id=stranger.pk)
    with pytest.raises(PermissionDenied):
        mail_template_preview(by=rep, template=template(), customer_id=lucia.pk)
    with pytest.raises(PermissionDenied):
        mail_template_save(by=rep, template=template())


def test_the_api_edits_and_previews_and_says_what_is_wrong(api, api_as, rep, lucia):
    created = api.post(
        "/channels/mail-templates",
        json={
            "name": "Cita",
            "language": "en",
            "subject": "Hi",
            "body": "Dear {{ customer.first_name }}",
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    url = f"/channels/mail-templates/{pk}"
    changed = api._call(
        "put",
        url,
        json={
            "name": "Cita",
            "language": "en",
            "subject": "Hello",
            "body": "Hi {{ customer.first_name }}",
        },
    )
    assert changed.status_code == 200 and changed.json()["subject"] == "Hello"
    broken = api._call(
        "put",
        url,
        json={"name": "Cita", "language": "en", "subject": "Hi", "body": "{{ customer.surname }}"},
    )
    assert broken.status_code == 422 and "customer.surname" in broken.json()["detail"]
    assert MailTemplate.objects.get(pk=pk).subject == "Hello"
    shown = api.post(f"{url}/preview", json={"customer_id": lucia.pk})
    assert shown.json() == {"subject": "Hello", "body": "Hi Lucía"}
    tried = api.post(f"{url}/preview", json={"customer_id": lucia.pk, "body": "{{ customer.x }}"})
    assert tried.status_code == 422 and "customer.x" in tried.json()["detail"]
    assert api.post(f"{url}/preview", json={"customer_id": 0}).status_code == 422
    assert api.get("/channels/mail-templates/999999").status_code == 404
    assert api_as(rep).get(url).status_code == 403
    assert api_as(rep).post(f"{url}/preview", json={"customer_id": lucia.pk}).status_code == 403


def test_a_manager_writes_previews_and_saves_a_template_in_both_languages(client, manager, lucia):
    client.force_login(manager)
    assert client.get("/channels/setup/templates/").status_code == 200
    form = {
        "name": "Bienvenida",
        "language": "es",
        "subject": "Hola {{ customer.first_name }}",
        "body": "Estimada {{ customer.display_name }}",
        "active": "on",
        "preview_customer": str(lucia.pk),
    }
    shown = client.post("/channels/setup/templates/new/", form | {"preview": "1"})
    page = html.unescape(shown.content.decode())
    assert shown.status_code == 200 and "Estimada Lucía Vega" in page and "Hola Lucía" in page
    assert not MailTemplate.objects.exists()  # a preview saves nothing
    broken = client.post(
        "/channels/setup/templates/new/", form | {"body": "{{ customer.frist_name }}"}
    )
    assert broken.status_code == 422 and "customer.frist_name" in broken.content.decode()
    assert not MailTemplate.objects.exists()
    saved = client.post("/channels/setup/templates/new/", form)
    assert saved.status_code == 302
    spanish = MailTemplate.objects.get()
    edit = html.unescape(client.get(saved["Location"]).content.decode())
    assert "Write the English version" in edit
    english = client.get("/channels/setup/templates/new/?name=Bienvenida&language=en")
    assert 'value="Bienvenida"' in english.content.decode()
    client.post(
        "/channels/setup/templates/new/",
        form | {"language": "en", "subject": "Hello", "body": "Dear {{ customer.first_name }}"},
    )
    listed = html.unescape(client.get("/channels/setup/templates/").content.decode())
    assert listed.count("Bienvenida") >= 2 and "English" in listed and "Spanish" in listed
    assert "The English version" in html.unescape(
        client.get(f"/channels/setup/templates/{spanish.pk}/").content.decode()
    )


def test_other_roles_get_a_403_on_the_pages(client, rep):
    client.force_login(rep)
    assert client.get("/channels/setup/templates/").status_code == 403
    assert client.get("/channels/setup/templates/new/").status_code == 403


def test_the_template_list_costs_the_same_queries_whatever_its_length(client, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(manager)

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get("/channels/setup/templates/").status_code == 200
        return len(seen)

    MailTemplate.objects.create(name="T0", language="es", subject="S", body="B")
    few = queries()
    for i in range(1, 30):
        MailTemplate.objects.create(name=f"T{i}", language="en", subject="S", body="B")
    assert queries() == few
