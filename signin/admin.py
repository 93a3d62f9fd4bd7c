"""Read-only views of login challenges and trusted devices: no code or device id is stored in clear."""

from django.contrib import admin

from signin.models import LoginChallenge, TrustedDevice


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LoginChallenge)
class LoginChallengeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "user", "factor", "channel", "state", "attempts", "sends", "sent_to", "created_at")
    list_filter = ("factor", "state", "channel")
    exclude = ("public_id", "code_hash", "device_hash")


@admin.register(TrustedDevice)
class TrustedDeviceAdmin(ReadOnlyAdmin):
    list_display = ("pk", "user", "label", "created_at", "last_used_at", "revoked_at")
    exclude = ("device_hash",)
