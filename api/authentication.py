"""Token authentication with the ``Authorization: Bearer <token>`` header channel apps send."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"

    def authenticate_credentials(self, key):
        # The employee's person comes with the token's user in one query: every /me/… view needs it.
        token = self.get_model().objects.select_related("user__person").filter(key=key).first()
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # DRF's own refusal, in its own words
        return (token.user, token)
