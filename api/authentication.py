"""Token authentication with the ``Authorization: Bearer <token>`` header channel apps send."""

from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    keyword = "Bearer"
