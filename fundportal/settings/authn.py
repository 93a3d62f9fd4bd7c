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
