"""Marketing's writes, split by sub-domain: segments and lists, templates, campaigns,
sending, and the recipients' own actions (open, click, unsubscribe)."""
