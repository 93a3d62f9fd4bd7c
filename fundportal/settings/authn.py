"""Sign-in and response headers: second factors, lockout, sessions, Content-Security-Policy.

Star-imported at the end of base.py; production.py tightens what it must.
"""

from csp.constants import NONE, SELF

# Every page's scripts and styles come from our own static files: no inline script, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# django-axes locks the pair (user, address): an attacker's failures lock only the attacker's
# address for that user, so nobody can lock a citizen out from one address. A hall's counters
# sharing one public address are therefore not locked out together either.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]

# The second factor (signin): a texted code on a new device for employees and employer operators,
# the authenticator app on every login for staff. Trusted devices carry this signed cookie.
SIGNIN_DEVICE_COOKIE = "fp_device"
SIGNIN_DEVICE_COOKIE_AGE = 365 * 24 * 3600

# A session ends after 20 minutes without a request and when the browser closes. Every request
# offers the session to the store (SESSION_SAVE_EVERY_REQUEST), which pushes the end back by a
# write at most once a minute (signin.session_store): the session ends 19 to 20 minutes after the
# last request, and a page that only reads costs no write.
SESSION_ENGINE = "signin.session_store"
SESSION_COOKIE_AGE = 20 * 60
SESSION_RENEW_AFTER_S = 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Passwords: 10 characters or more, not all digits, not a common one, not like the user name, and
# for employees not containing their ID number or date of birth.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "signin.passwords.PersonalDataValidator"},
]

# Headers every environment sends; production.py adds HSTS and secure cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
