"""Reusable web security pieces for the JSON API and the server-rendered pages.

- sessions.py: signed, HTTP-only, SameSite=Lax session cookies; sign_in / sign_out / current_user_id.
- csrf.py: a synchronizer token kept in the session, checked on every state-changing request (header
  X-CSRF-Token, or form field csrf_token); csrf_token(request) gives the token for a page or a client.
- throttle.py: bounded in-memory counting of failed sign-ins per account and per client address.
- headers.py: security headers (CSP without inline scripts, nosniff, referrer policy, framing, HSTS in production).
"""
