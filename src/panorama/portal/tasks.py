"""The portal's background work: e-mailing a sign-in link (django-tasks), so that the
page answers at once and in the same time whether or not the address is known."""

from django_tasks import task


@task()
def login_link_send_task(link_id: int, language: str = "") -> bool:
    from .services import login_link_mail

    return login_link_mail(link_id=link_id, language=language)
