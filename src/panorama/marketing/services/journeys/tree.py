"""A journey's road: the main road's steps in order, a branch's yes and no paths under
it, and a path that ends going on after its branch. Pure functions over the journey's
steps read once (``build._steps``), so the runner asks no query to find its way."""

from collections.abc import Iterator

from ...models import JourneyStep


def line(steps: list[JourneyStep], parent_id: int | None, path: str) -> list[JourneyStep]:
    """The steps on one road (the main one, or a branch's yes or no path), in order."""
    return sorted(
        (s for s in steps if s.parent_id == parent_id and s.path == path),
        key=lambda s: (s.position, s.pk or 0),
    )


def line_of(steps: list[JourneyStep], step: JourneyStep) -> list[JourneyStep]:
    return line(steps, step.parent_id, step.path)


def step_next(steps: list[JourneyStep], step: JourneyStep) -> JourneyStep | None:
    """The step after ``step`` on its road; at the end of a path, the step after its
    branch (and so on up); None at the end of the journey."""
    current: JourneyStep | None = step
    by_id = {s.pk: s for s in steps}
    while current is not None:
        road = line_of(steps, current)
        index = next(i for i, s in enumerate(road) if s.pk == current.pk)
        if index + 1 < len(road):
            return road[index + 1]
        current = by_id.get(current.parent_id) if current.parent_id else None
    return None


def path_first(steps: list[JourneyStep], branch: JourneyStep, path: str) -> JourneyStep | None:
    """Where a customer goes from ``branch`` on ``path``: its first step, or, for an
    empty path, the step after the branch."""
    road = line(steps, branch.pk, path)
    return road[0] if road else step_next(steps, branch)


def depth(steps: list[JourneyStep], step: JourneyStep | None) -> int:
    """How many branches ``step`` is under (0: the main road)."""
    by_id = {s.pk: s for s in steps}
    n = 0
    while step is not None and step.parent_id:
        n += 1
        step = by_id.get(step.parent_id)
    return n


def subtree(steps: list[JourneyStep], step: JourneyStep) -> set[int]:
    """The ids of ``step`` and of every step on its paths (a branch's)."""
    ids = {step.pk}
    grew = True
    while grew:
        more = {s.pk for s in steps if s.parent_id in ids} - ids
        ids |= more
        grew = bool(more)
    return ids


def always_before(steps: list[JourneyStep], step: JourneyStep) -> Iterator[JourneyStep]:
    """The steps every customer reaching ``step`` went through: the earlier ones on its
    road and on the roads of the branches above it (not those inside earlier branches'
    paths: only one path is taken)."""
    by_id = {s.pk: s for s in steps}
    current: JourneyStep | None = step
    while current is not None:
        for s in line_of(steps, current):
            if s.pk == current.pk:
                break
            yield s
        current = by_id.get(current.parent_id) if current.parent_id else None


def walk(steps: list[JourneyStep], parent_id: int | None = None, path: str = "", level: int = 0):
    """(step, level, path) in reading order: each branch followed by its yes path, then
    its no path (``level``: how many branches deep)."""
    for step in line(steps, parent_id, path):
        yield step, level, path
        if step.kind == JourneyStep.Kind.BRANCH:
            for sub in ("yes", "no"):
                yield from walk(steps, step.pk, sub, level + 1)
