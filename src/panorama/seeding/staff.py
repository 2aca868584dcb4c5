"""The demo organisation: four teams and one user per role (created only if missing)."""

from dataclasses import dataclass

from django.db import transaction

from panorama.accounts.models import Role, Team, User

TEAMS = ("Madrid Centro", "Barcelona", "Valencia", "Empresas")
# username, role, first name, last name, team it belongs to
USERS = (
    ("admin", Role.ADMIN, "Admin", "Panorama", None),
    ("manager", Role.SALES_MANAGER, "Marta", "Sánchez Gil", None),
    ("rep.madrid", Role.SALES_REP, "Javier", "Moreno Díaz", "Madrid Centro"),
    ("rep.barcelona", Role.SALES_REP, "Laia", "Puig Ferrer", "Barcelona"),
    ("rep.valencia", Role.SALES_REP, "Vicente", "Navarro Soler", "Valencia"),
    ("rep.empresas", Role.SALES_REP, "Elena", "Ruiz Castro", "Empresas"),
    ("agent", Role.SERVICE_AGENT, "Pablo", "Ortega León", None),
    ("marketing", Role.MARKETING, "Sara", "Romero Vidal", None),
    ("analyst", Role.ANALYST, "David", "Iglesias Marín", None),
)


@dataclass
class Staff:
    """Ids the seeder spreads customers and contacts over."""

    team_ids: dict[str, int]
    rep_of_team: dict[int, int]
    agent_ids: list[int]


@transaction.atomic
def staff_ensure() -> Staff:
    teams = {name: Team.objects.get_or_create(name=name)[0] for name in TEAMS}
    users: dict[str, User] = {}
    for username, role, first, last, team_name in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                role=role,
                first_name=first,
                last_name=last,
                email=f"{username}@example.com",
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            # Nobody logs in as a seeded user until an administrator sets a password
            # (``panorama changepassword USER``); ``panorama demo`` does it for admin.
            user.set_unusable_password()
            user.save()
            if team_name:
                user.teams.add(teams[team_name])
            if role == Role.SALES_MANAGER:
                user.managed_teams.set(teams.values())
        users[username] = user
    rep_of_team = {}
    for username, _role, _first, _last, team_name in USERS:
        if team_name:
            rep_of_team[teams[team_name].pk] = users[username].pk
    return Staff(
        team_ids={name: team.pk for name, team in teams.items()},
        rep_of_team=rep_of_team,
        agent_ids=sorted(u.pk for u in users.values() if u.role != Role.ANALYST),
    )
