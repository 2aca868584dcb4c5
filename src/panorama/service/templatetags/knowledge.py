"""``{% kb_suggestions case %}``: the knowledge base articles that fit a case, for its page."""

from django import template
from django.urls import reverse

from ..selectors.knowledge import articles_suggested

register = template.Library()


@register.inclusion_tag("service/kb/_suggestions.html", takes_context=True)
def kb_suggestions(context, case) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    hits = articles_suggested(case=case, user=user, limit=5)
    rows = []
    for hit in hits:
        article = hit.article
        public_url = (
            request.build_absolute_uri(reverse("help:article", args=[article.slug]))
            if request is not None and article.is_public
            else ""
        )
        rows.append({"hit": hit, "public_url": public_url})
    return {"rows": rows, "can_reply": context.get("can_edit", False)}
