import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "panorama.config.settings.base")
application = get_wsgi_application()

# The objects loaded so far (Django, the apps, the URL and template machinery) live as
# long as the process: keep the cyclic garbage collector from walking them again and
# again, and let it run less often, so fewer requests pay for a full collection.
gc.collect()
gc.freeze()
gc.set_threshold(50_000, 20, 20)
