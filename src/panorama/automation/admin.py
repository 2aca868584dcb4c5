from django.contrib import admin

from panorama.channels.admin import ConfigureOnly, ServiceForm

from .models import TrackedSite
from .services.tracking import tracked_site_save


class TrackedSiteForm(ServiceForm):
    """Checked and saved by ``tracked_site_save``, as the setup page and the API."""

    class Meta:
        model = TrackedSite
        fields = ["name", "origins", "require_consent", "rate_per_minute", "active"]

    def service_save(self, instance):
        return tracked_site_save(by=self.request_user, site=instance)


@admin.register(TrackedSite)
class TrackedSiteAdmin(ConfigureOnly, admin.ModelAdmin):
    form = TrackedSiteForm
    list_display = ("name", "public_key", "require_consent", "rate_per_minute", "active")
    readonly_fields = ("public_key",)
    search_fields = ("name",)
